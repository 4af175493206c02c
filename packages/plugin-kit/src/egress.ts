import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * How a provider reaches the network. The server lends every provider agents whose connections go only to
 * addresses its policy allows (no loopback, private, link-local or this host's own addresses unless the
 * operator allows private networks): each host name is resolved when the connection opens and the connection
 * is made to the very address that was checked, so a DNS answer that changes after configuration cannot
 * point a send at the server's own network. Make every outbound request through these.
 *
 * @example
 * // got
 * await got.post(config.url, { json, agent: services.egress.agent });
 * // axios
 * axios.create({ httpAgent: services.egress.agent.http, httpsAgent: services.egress.agent.https });
 */
export interface ProviderEgress {
  /** In got's `agent` option shape. */
  agent: { http: HttpAgent; https: HttpsAgent };
  /** A checked `dns.lookup`, for clients that take only a lookup function (IP literals never reach a lookup: prefer the agents). */
  lookup: LookupFunction;
  /**
   * Checks a URL learned at run time before using it (an instance URL in a token answer): http(s) only, its host
   * resolved and checked. Throws `SmsProviderError('invalid_config')` naming what is wrong.
   */
  checkUrl(url: string): Promise<void>;
}

/**
 * The `code` of the error a guarded connection fails with when its address is refused.
 *
 * @example
 * if ((error as { code?: string }).code === EGRESS_REFUSED) throw new SmsProviderError('invalid_config', 'address refused');
 */
export const EGRESS_REFUSED = 'ERR_OTPLEDGER_EGRESS_REFUSED';

/**
 * The refusal behind `error`, if a guarded connection was refused (HTTP clients wrap it: causes are followed).
 * `transportFailure` already maps it to `invalid_config`; use this when mapping transport errors yourself.
 *
 * @example
 * const refusal = egressRefusal(error);
 * if (refusal) throw new SmsProviderError('invalid_config', `the Acme API: ${refusal.message}`, { cause: error });
 */
export function egressRefusal(error: unknown): (Error & { code: string }) | undefined {
  for (let cause = error, depth = 0; cause && depth < 8; cause = (cause as { cause?: unknown }).cause, depth++) {
    if ((cause as { code?: unknown }).code === EGRESS_REFUSED && cause instanceof Error) return cause as Error & { code: string };
  }
  return undefined;
}

/**
 * Egress with no checks at all: plain agents and `dns.lookup`. For a plugin's own tests against a local
 * gateway; a server never lends this.
 *
 * @example
 * const provider = plugin.create(config, { logger: console, now: () => performance.now(), egress: directEgress() });
 */
export function directEgress(): ProviderEgress {
  return {
    agent: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
    lookup: dnsLookup as LookupFunction,
    async checkUrl(url) {
      new URL(url);
    },
  };
}
