import { egressRefusal, SmsProviderError, type SmsProviderErrorCode } from '@otpledger/plugin-kit';

/**
 * Twilio error codes we act on (https://www.twilio.com/docs/api/errors). Anything else is judged by its
 * HTTP status: 401 auth, 429 rate limit, 5xx unavailable, other 4xx rejected.
 */
const BY_TWILIO_CODE: ReadonlyMap<number, SmsProviderErrorCode> = new Map([
  [21211, 'invalid_recipient'], // invalid 'To' phone number
  [20003, 'auth_failed'], // authentication failed
  [20429, 'rate_limited'], // too many requests
  [21408, 'rejected'], // region not enabled in the account's geo permissions
  [21610, 'rejected'], // recipient unsubscribed (replied STOP)
  [21614, 'rejected'], // 'To' is not a mobile number
]);

/** Axios error codes (the SDK's HTTP client) that mean the deadline passed. */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** What the SDK throws: `RestException` / `TwilioServiceException` carry `status` and Twilio's `code`. */
interface TwilioHttpError {
  status: number;
  code?: number;
  message: string;
}

function isTwilioHttpError(error: unknown): error is TwilioHttpError {
  return error instanceof Error && typeof (error as Partial<TwilioHttpError>).status === 'number';
}

/** Maps anything the SDK throws to the kit's error; an `SmsProviderError` passes through unchanged. */
export function toSmsProviderError(error: unknown): SmsProviderError {
  if (error instanceof SmsProviderError) return error;
  const refusal = egressRefusal(error);
  if (refusal) return new SmsProviderError('invalid_config', `Twilio: ${refusal.message}`, { cause: error });
  if (isTwilioHttpError(error)) {
    const { status, code } = error;
    const kitCode = (code === undefined ? undefined : BY_TWILIO_CODE.get(code)) ?? byStatus(status);
    const label = code === undefined ? `HTTP ${status}` : `HTTP ${status}, code ${code}`;
    return new SmsProviderError(kitCode, `Twilio refused the message (${label}): ${bounded(error.message)}`, {
      httpStatus: status,
      providerCode: code,
      cause: error,
    });
  }
  const networkCode = (error as { code?: unknown } | null)?.code;
  if (typeof networkCode === 'string' && TIMEOUT_CODES.has(networkCode)) {
    return new SmsProviderError('timeout', `Twilio did not answer in time (${networkCode})`, { cause: error });
  }
  const detail = typeof networkCode === 'string' ? networkCode : error instanceof Error ? error.message : 'unknown';
  return new SmsProviderError('unavailable', `Twilio could not be reached (${detail})`, { cause: error });
}

/** Twilio's words, without control characters and at most 200 characters: they are logged and may be shown. */
function bounded(text: string): string {
  const clean = text.replace(/\p{Cc}+/gu, ' ');
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

function byStatus(status: number): SmsProviderErrorCode {
  if (status === 401) return 'auth_failed';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}
