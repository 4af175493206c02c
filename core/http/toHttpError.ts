import { SmsProviderError } from '@otpledger/plugin-kit';
import { SchemaValidationError } from '../validation/schemaValidationError.js';
import { DomainError, type DomainErrorMeaning } from '../decider/decider.js';
import { StoreUnavailableError } from '../eventStore/storeUnavailable.js';
import { SmsSendRefusedError } from '../protection/smsSendRefused.js';
import { HttpError } from './httpError.js';

/** The status of each meaning a domain refusal carries (`DomainError.meaning`); its code is the refusal's reason. */
const statusOfMeaning: Record<DomainErrorMeaning, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  limited: 429,
};

/** Codes for errors that other libraries raise with Koa's `status`/`expose` contract (router, http-errors). */
const codeByStatus: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  501: 'not_implemented',
};

/** A screening refusal: 429 with `Retry-After` (seconds, rounded up) for the limits, 403 for the destination rules. */
export function smsRefusal(error: SmsSendRefusedError, code: string): HttpError {
  const retryAfter = error.retryAfterSeconds;
  return new HttpError(statusOfMeaning[error.meaning], code, error.message, {
    cause: error,
    ...(error.rateLimited && retryAfter !== undefined && { headers: { 'Retry-After': String(retryAfter) } }),
  });
}

/**
 * The shared reading of any thrown value as an `HttpError`, which each dialect's renderer (`errorRenderers.ts`)
 * may override for the errors it names in its own words: ours pass through, a domain refusal gets the status of
 * what it means and its reason as the code, a schema failure is a 400 naming every problem, an exposed 4xx from
 * a library keeps its status, everything else is a 500.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof SmsSendRefusedError) return smsRefusal(error, error.rateLimited ? 'too_many_requests' : 'sms_not_allowed');
  if (error instanceof DomainError) {
    return new HttpError(statusOfMeaning[error.meaning], error.reason, error.message, { cause: error });
  }
  if (error instanceof SmsProviderError) {
    // the provider's own words stay in the log and the SmsDeliveryFailed event; the caller learns the kind
    return new HttpError(502, 'sms_delivery_failed', `the SMS could not be delivered (${error.code})`, { cause: error, expose: true });
  }
  if (error instanceof StoreUnavailableError) {
    // said plainly, so clients retry and operators look at the database, not at otpledger
    return new HttpError(503, 'temporarily_unavailable', 'the event store is unavailable; try again shortly', {
      cause: error,
      expose: true,
      headers: { 'Retry-After': '1' },
    });
  }
  if (error instanceof SchemaValidationError) {
    return new HttpError(400, 'invalid_request', error.message, { cause: error });
  }
  const { status, expose, message } = (error ?? {}) as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return new HttpError(status, codeByStatus[status] ?? 'invalid_request', String(message), { cause: error });
  }
  if (typeof status === 'number' && status >= 500 && status < 600) {
    return new HttpError(status, codeByStatus[status] ?? 'server_error', 'internal error', { cause: error });
  }
  return new HttpError(500, 'server_error', 'internal error', { cause: error });
}
