import { egressRefusal } from './egress.js';
import { SmsProviderError, type SmsProviderErrorCode } from './index.js';

/**
 * The kit code for a gateway's HTTP status, for providers that only have the status to go by:
 * 401/403 `auth_failed`, 429 `rate_limited`, 408 and 5xx `unavailable`, other 4xx `rejected`.
 *
 * @example
 * if (!res.ok) throw new SmsProviderError(codeForHttpStatus(res.status), `Acme answered ${res.status}`, { httpStatus: res.status });
 */
export function codeForHttpStatus(status: number): SmsProviderErrorCode {
  if (status === 401 || status === 403) return 'auth_failed';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'rejected';
}

/**
 * A thrown transport error (got, fetch, node:http) as a kit error: an address the server's egress policy
 * refused is `invalid_config` (retrying will not help), a timeout or an abort is `timeout`, anything else
 * (refused, reset, DNS) `unavailable`. `what` names the call, e.g. "the custom gateway".
 *
 * @example
 * const res = await fetch(url, { signal }).catch((error: unknown) => { throw transportFailure(error, 'the Acme API'); });
 */
export function transportFailure(error: unknown, what: string): SmsProviderError {
  if (error instanceof SmsProviderError) return error;
  const refusal = egressRefusal(error);
  if (refusal) return new SmsProviderError('invalid_config', `${what}: ${refusal.message}`, { cause: error });
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ABORT_ERR') {
    return new SmsProviderError('timeout', `timeout while calling ${what}`, { cause: error });
  }
  return new SmsProviderError('unavailable', `could not reach ${what}${code ? ` (${code})` : ''}`, { cause: error });
}
