import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, Socket, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { EGRESS_REFUSED, SmsProviderError, type ProviderEgress } from '@otpledger/plugin-kit';
import { addressRefusal, type AddressPolicy, type Refusal } from './addressPolicy.js';

/** All addresses of a host name, as `dns.lookup(host, { all: true })` answers (tests inject their own). */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** A connection, or a configured address, that the egress policy refuses. */
export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  readonly code = EGRESS_REFUSED;
}

type Resolved = { address: string; family: 4 | 6 };

/**
 * The one way out to tenants' SMS providers (SSRF guard). Every host name is resolved when it is used, every
 * address it resolves to is checked against the address policy, and a connection is made to the very address
 * that was checked (the agents' `lookup` answers the checked addresses, so DNS cannot change between check and
 * connect). Used three ways: on the settings when a provider is configured and again before every send
 * (`settingsProblem`), and by every connection a built-in provider makes (`services()`: agents and lookup lent
 * through the plugin kit). A name that does not resolve is refused like a private address.
 */
export class EgressGuard {
  private readonly resolve: Resolver;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

  constructor(private readonly policy: AddressPolicy & { resolve?: Resolver }) {
    this.resolve = policy.resolve ?? systemResolver;
    const lookup = this.lookup;
    const literalRefused = (host: string | null | undefined) => this.literalRefused(host);
    // IP literals never reach a lookup: the agents check them before connecting
    class GuardedHttpAgent extends HttpAgent {
      override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) {
        return literalRefused(options.host) ?? super.createConnection(options, callback);
      }
    }
    class GuardedHttpsAgent extends HttpsAgent {
      override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) {
        return literalRefused(options.host) ?? super.createConnection(options, callback);
      }
    }
    this.agents = { http: new GuardedHttpAgent({ keepAlive: true, lookup }), https: new GuardedHttpsAgent({ keepAlive: true, lookup }) };
  }

  /** What providers get through the kit's `ProviderServices.egress`. */
  services(): ProviderEgress {
    return { agent: this.agents, lookup: this.lookup, checkUrl: (url) => this.checkUrl(url) };
  }

  /** Every address of `host` (a name or an IP literal, brackets allowed), each allowed; `EgressRefusedError` otherwise. */
  async checkedAddresses(host: string): Promise<Resolved[]> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    let addresses: string[];
    if (isIP(bare)) {
      addresses = [bare];
    } else {
      try {
        addresses = await this.resolve(bare);
      } catch (error) {
        throw new EgressRefusedError(`${bare} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'no address'})`);
      }
      if (addresses.length === 0) throw new EgressRefusedError(`${bare} does not resolve (no address)`);
    }
    for (const address of addresses) {
      const refusal = addressRefusal(address, this.policy);
      if (refusal) throw new EgressRefusedError(describe(bare, address, refusal));
    }
    return addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
  }

  /**
   * The first problem with the `http(s)://` values anywhere in a provider's settings (with its JSON path), or
   * undefined. Resolves each host now: at configuration and before each send, so a stored configuration
   * is never trusted beyond the moment it is checked.
   */
  async settingsProblem(settings: Record<string, unknown>): Promise<string | undefined> {
    for (const { path, url } of urlsIn(settings)) {
      try {
        await this.checkedAddresses(url.hostname);
      } catch (error) {
        if (error instanceof EgressRefusedError) return `${path}: ${error.message}`;
        throw error;
      }
    }
    return undefined;
  }

  /** A URL a provider learned at run time: http(s) only, its host checked; `SmsProviderError('invalid_config')` otherwise. */
  async checkUrl(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SmsProviderError('invalid_config', `${JSON.stringify(url.slice(0, 200))} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new SmsProviderError('invalid_config', `${parsed.protocol} URLs are not allowed (${parsed.host})`);
    try {
      await this.checkedAddresses(parsed.hostname);
    } catch (error) {
      if (error instanceof EgressRefusedError) throw new SmsProviderError('invalid_config', error.message, { cause: error });
      throw error;
    }
  }

  /** `dns.lookup`'s contract (one address, or all with `all: true`), answering only checked addresses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    this.checkedAddresses(hostname).then(
      (all) => {
        const usable = family === 0 ? all : all.filter((entry) => entry.family === family);
        if (usable.length === 0)
          return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (error: null, addresses: Resolved[]) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };

  /** Closes the agents' idle connections. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** A socket that fails at once, when `host` is an IP literal the policy refuses; undefined otherwise. */
  private literalRefused(host: string | null | undefined): Socket | undefined {
    const bare = host?.replace(/^\[(.*)\]$/, '$1');
    if (!bare || !isIP(bare)) return undefined;
    const refusal = addressRefusal(bare, this.policy);
    if (!refusal) return undefined;
    const socket = new Socket();
    process.nextTick(() => socket.destroy(new EgressRefusedError(describe(bare, bare, refusal))));
    return socket;
  }
}

function describe(host: string, address: string, refusal: Refusal): string {
  const what = host === address ? `${address} is` : `${host} resolves to ${address},`;
  return refusal.allowedWithPrivateNetworks
    ? `${what} ${refusal.kind}; the operator must set sms.allowPrivateNetworks to allow private networks`
    : `${what} ${refusal.kind}, which is never allowed`;
}

/** Every `http(s)://` value in a provider's settings, with its JSON path. */
function urlsIn(value: unknown, path = ''): { path: string; url: URL }[] {
  if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
    try {
      return [{ path: path || '/', url: new URL(value) }];
    } catch {
      return [];
    }
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => urlsIn(item, `${path}/${key}`));
  }
  return [];
}
