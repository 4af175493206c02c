import { SmsProviderError, type ProviderEgress } from '@otpledger/plugin-kit';
import type { SfmcConfig } from './configSchema.js';
import { tokenError } from './sfmcErrors.js';
import { postJson } from './sfmcHttp.js';

export interface SfmcToken {
  value: string;
  /** Where Transactional Messaging lives for this account, ending in `/`. */
  restBaseUrl: string;
  /** On the `now()` clock: the token is used until then, then fetched again. */
  refreshAt: number;
}

export interface SfmcTokenSource {
  /** The cached token, or a new one; a token request gives up after `timeoutMs`. */
  get(timeoutMs: number): Promise<SfmcToken>;
  /** Drops `token` after the API refused it, so the next `get` fetches a fresh one. */
  invalidate(token: SfmcToken): void;
}

/** Refresh this long before the announced expiry, so a token never dies in flight. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * Fetches and caches the account's access token. Concurrent sends share one token request, which is why it
 * runs on its own timeout rather than on one caller's signal; a token is kept until `REFRESH_MARGIN_MS`
 * before it expires (but for at least half its lifetime).
 */
export function createTokenSource(config: SfmcConfig, now: () => number, egress: ProviderEgress): SfmcTokenSource {
  let cached: SfmcToken | undefined;
  let pending: Promise<SfmcToken> | undefined;

  return {
    async get(timeoutMs) {
      if (cached && now() < cached.refreshAt) return cached;
      pending ??= requestToken(config, AbortSignal.timeout(timeoutMs), now, egress).finally(() => {
        pending = undefined;
      });
      cached = await pending;
      return cached;
    },
    invalidate(token) {
      if (cached === token) cached = undefined;
    },
  };
}

async function requestToken(config: SfmcConfig, signal: AbortSignal, now: () => number, egress: ProviderEgress): Promise<SfmcToken> {
  const authBase = withSlash(config.auth_base_url ?? `https://${config.subdomain}.auth.marketingcloudapis.com/`);
  const issuedAt = now();
  const legacy = config.package_type === 'legacy';
  const response = legacy
    ? await postJson(
        new URL('v1/requestToken', authBase).href,
        {
          clientId: config.client_id,
          clientSecret: config.client_secret,
        },
        signal,
        egress,
      )
    : await postJson(
        new URL('v2/token', authBase).href,
        {
          grant_type: 'client_credentials',
          client_id: config.client_id,
          client_secret: config.client_secret,
        },
        signal,
        egress,
      );
  if (response.status !== 200) throw tokenError(response);

  const body = (response.body ?? {}) as Record<string, unknown>;
  const value = legacy ? body.accessToken : body.access_token;
  const expiresIn = legacy ? body.expiresIn : body.expires_in;
  if (typeof value !== 'string' || typeof expiresIn !== 'number') {
    throw new SmsProviderError('unavailable', 'Marketing Cloud answered the token request without a token');
  }
  const restInstanceUrl = typeof body.rest_instance_url === 'string' ? body.rest_instance_url : undefined;
  // an address from the remote's answer is checked like a configured one before anything is sent there
  if (restInstanceUrl !== undefined && config.rest_base_url === undefined) await checkRestInstanceUrl(restInstanceUrl, egress);
  const lifetimeMs = expiresIn * 1000;
  return {
    value,
    restBaseUrl: withSlash(config.rest_base_url ?? restInstanceUrl ?? `https://${config.subdomain}.rest.marketingcloudapis.com/`),
    refreshAt: issuedAt + Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2),
  };
}

async function checkRestInstanceUrl(url: string, egress: ProviderEgress): Promise<void> {
  try {
    await egress.checkUrl(url);
  } catch (error) {
    const reason = error instanceof SmsProviderError ? error.message : 'not a usable URL';
    throw new SmsProviderError('invalid_config', `Marketing Cloud's token answer names a rest_instance_url that is refused: ${reason}`, {
      cause: error,
    });
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
