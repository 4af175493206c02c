import { SmsProviderError, type SmsProviderErrorCode } from '@otpledger/plugin-kit';
import type { SfmcResponse } from './sfmcHttp.js';

/** Transactional Messaging API error codes we act on; the rest are judged by HTTP status. */
const BY_SFMC_CODE: ReadonlyMap<number, SmsProviderErrorCode> = new Map([
  [10002, 'rejected'], // a required field is missing
  [30003, 'invalid_config'], // the send definition (`message_id`) does not exist
  [40001, 'auth_failed'], // not authenticated
  [109101, 'invalid_recipient'],
  [109102, 'invalid_recipient'],
  [109103, 'invalid_recipient'],
]);

/** A failed token request: enhanced answers `{error, error_description}`, legacy `{message, errorcode}`. */
export function tokenError(response: SfmcResponse): SmsProviderError {
  const body = asRecord(response.body);
  const reason = remoteText(body.error_description ?? body.error ?? body.message ?? 'no detail');
  const code: SmsProviderErrorCode = response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'unavailable' : 'auth_failed';
  return new SmsProviderError(code, `Marketing Cloud refused the token request (HTTP ${response.status}): ${reason}`, {
    httpStatus: response.status,
    providerCode: typeof body.error === 'string' ? body.error : numberOrUndefined(body.errorcode),
  });
}

/** A failed send: the errorcode of the body, else of the first recipient response, else the status. */
export function sendError(response: SfmcResponse): SmsProviderError {
  const body = asRecord(response.body);
  const first = asRecord(Array.isArray(body.responses) ? body.responses[0] : undefined);
  const errorcode = numberOrUndefined(body.errorcode) || numberOrUndefined(first.errorcode);
  const reason = remoteText(body.message ?? first.message ?? 'no detail');
  const code = (errorcode === undefined ? undefined : BY_SFMC_CODE.get(errorcode)) ?? byStatus(response.status);
  const label = errorcode ? `HTTP ${response.status}, errorcode ${errorcode}` : `HTTP ${response.status}`;
  return new SmsProviderError(code, `Marketing Cloud refused the message (${label}): ${reason}`, {
    httpStatus: response.status,
    providerCode: errorcode,
  });
}

/** True when a 2xx answer still reports a failure for our (only) recipient. */
export function hasRecipientError(response: SfmcResponse): boolean {
  const body = asRecord(response.body);
  const first = asRecord(Array.isArray(body.responses) ? body.responses[0] : undefined);
  return Boolean(numberOrUndefined(body.errorcode) || numberOrUndefined(first.errorcode));
}

function byStatus(status: number): SmsProviderErrorCode {
  if (status === 401) return 'auth_failed';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/**
 * The remote's own words, bounded and without control characters: they reach the log and an administrator's
 * answer, never an event (the server stores its own reason), and whoever runs the endpoint chooses them.
 */
function remoteText(value: unknown): string {
  const text = (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).replace(/\p{Cc}+/gu, ' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
