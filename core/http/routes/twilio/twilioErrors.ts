import { SmsProviderError } from '@otpledger/plugin-kit';
import { LockedOutError, TooManySendsError } from '../../../otp/otpDecider.js';
import { SmsSendRefusedError } from '../../../protection/smsSendRefused.js';
import { VerifyServiceNotFoundError } from '../../../twilioVerify/verifyServiceDecider.js';
import { InvalidPhoneNumberError } from '../../../users/phoneNumber.js';
import { SchemaValidationError } from '../../../validation/schemaValidationError.js';
import type { ErrorRenderer } from '../../errorRenderers.js';
import { HttpError } from '../../httpError.js';

/**
 * An error in Twilio's words: an HTTP status and one of Twilio's numeric error codes (twilio.com/docs/api/errors),
 * carried as the `HttpError` code so the shared error handler keeps its status, headers and 5xx rules.
 */
export class TwilioError extends HttpError {
  constructor(
    status: number,
    code: number,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown; expose?: boolean } = {},
  ) {
    super(status, String(code), message, options);
  }
}

/** 400 60200, "Invalid parameter: To" (twilio.com/docs/api/errors/60200: the message names the parameter). */
export const invalidParameter = (name: string, why?: string) =>
  new TwilioError(400, 60200, `Invalid parameter: ${name}${why ? ` (${why})` : ''}`);

/** 404 20404, in the words Twilio uses for a Service or Verification it does not have (or has deleted). */
export const resourceNotFound = (path: string) =>
  new TwilioError(404, 20404, `The requested resource ${path.replace(/^\/v2/, '')} was not found`);

/** Codes for errors whose meaning only their status carries (the router's 405, an unknown path, a 5xx). */
const codeByStatus: Record<number, number> = {
  400: 60200,
  401: 20003,
  403: 20403,
  404: 20404,
  405: 20004,
  413: 60200,
  415: 60200,
  429: 20429,
  500: 20500,
  502: 20503,
  503: 20503,
};

/**
 * A send the tenant's SMS protection refused, in Verify's words: a destination its policy does not allow is Geo
 * Permissions' 403 60605 (twilio.com/docs/api/errors/60605; a number type it denies too, the same kind of rule); a
 * range paused by the pumping guard is Fraud Guard's 60410, a temporary block of the prefix (twilio.com/docs/api/errors/60410);
 * a limit that lifts with time is 429 20429, Too Many Requests, with `Retry-After`.
 */
function refusal(thrown: SmsSendRefusedError): TwilioError {
  const retryAfter = thrown.retryAfterSeconds;
  const options = { cause: thrown, ...(retryAfter !== undefined && { headers: { 'Retry-After': String(retryAfter) } }) };
  switch (thrown.refusal.reason) {
    case 'country':
    case 'number_type':
      return new TwilioError(403, 60605, `Verification delivery attempt blocked: ${thrown.message}`, options);
    case 'pumping_guard':
      return new TwilioError(403, 60410, `Verification delivery attempt blocked: ${thrown.message}`, options);
    default:
      return new TwilioError(429, 20429, `Too Many Requests: ${thrown.message}`, options);
  }
}

/** `/FriendlyName is required` -> `Missing required parameter FriendlyName`; `/CodeLength must be <= 10` -> 60200's words. */
function describeProblem(problem: string): string {
  const match = /^\/([^/ ]*)\S* (.*)$/.exec(problem);
  if (!match) return `Invalid parameter (${problem})`;
  const name = match[1]!.replaceAll('~1', '/').replaceAll('~0', '~');
  return match[2] === 'is required' ? `Missing required parameter ${name}` : `Invalid parameter: ${name} (${match[2]})`;
}

/**
 * What the domain's refusals mean in Twilio Verify's words (twilio.com/docs/verify/api/verification-check and the
 * error pages it links): a locked-out phone is 429 60202 (Max check attempts reached), a resend beyond the
 * verification's sends 429 60203 (Max send attempts reached), an invalid number 400 60200.
 */
function translate(thrown: unknown): HttpError | undefined {
  if (thrown instanceof TwilioError) return thrown;
  if (thrown instanceof VerifyServiceNotFoundError)
    return new TwilioError(404, 20404, 'The requested resource was not found', { cause: thrown });
  if (thrown instanceof LockedOutError) return new TwilioError(429, 60202, 'Max check attempts reached', { cause: thrown });
  if (thrown instanceof TooManySendsError) return new TwilioError(429, 60203, 'Max send attempts reached', { cause: thrown });
  if (thrown instanceof SmsSendRefusedError) return refusal(thrown);
  if (thrown instanceof InvalidPhoneNumberError) return new TwilioError(400, 60200, 'Invalid parameter: To', { cause: thrown });
  if (thrown instanceof SchemaValidationError) {
    return new TwilioError(400, 60200, thrown.problems.map(describeProblem).join('; '), { cause: thrown });
  }
  if (thrown instanceof SmsProviderError) {
    // the provider's own words stay in the log and the SmsDeliveryFailed event; the caller learns the kind
    return new TwilioError(502, 20503, `the SMS could not be delivered (${thrown.code})`, { cause: thrown, expose: true });
  }
  return undefined;
}

/** The Twilio dialect's error renderer: everything under `/v2` answers `{ code, message, more_info, status }`. */
export const twilioErrorRenderer: ErrorRenderer = {
  pathPrefixes: ['/v2'],
  translate,
  schema: {
    name: 'TwilioError',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message', 'more_info', 'status'],
      properties: {
        code: { type: 'integer' },
        message: { type: 'string' },
        more_info: { type: 'string', format: 'uri' },
        status: { type: 'integer' },
      },
    },
  },
  render({ status, code, description }) {
    const twilioCode = /^\d+$/.test(code) ? Number(code) : (codeByStatus[status] ?? (status >= 500 ? 20500 : 60200));
    return { code: twilioCode, message: description, more_info: `https://www.twilio.com/docs/errors/${twilioCode}`, status };
  },
};
