import { SmsProviderError } from '@otpledger/plugin-kit';
import { IpBlockedError } from '../auth0/bruteForceDecider.js';
import { ConnectionNotEnabledError, SignupDisabledError, WrongVerificationCodeError } from '../auth0/passwordlessErrors.js';
import { SmsSendRefusedError } from '../protection/smsSendRefused.js';
import { HttpError } from './httpError.js';
import { smsRefusal } from './toHttpError.js';

/**
 * Auth0's answers for the passwordless flow's refusals: the provider's own words as `sms_provider_error` (400,
 * seed "custom SMS gateway"), a wrong code as 403 `invalid_grant`, a blocked IP as 429 `too_many_attempts`, a
 * send refused by SMS protection as 429 `too_many_requests` (with `Retry-After`) or 403 `access_denied`.
 * Anything else is left to the central mapping.
 */
export function auth0HttpError(error: unknown): HttpError | undefined {
  if (error instanceof SmsProviderError) return new HttpError(400, 'sms_provider_error', error.message, { cause: error });
  if (error instanceof WrongVerificationCodeError) return new HttpError(403, 'invalid_grant', error.message, { cause: error });
  if (error instanceof IpBlockedError) return new HttpError(429, 'too_many_attempts', error.message, { cause: error });
  if (error instanceof ConnectionNotEnabledError) return new HttpError(400, 'bad.connection', error.message, { cause: error });
  if (error instanceof SignupDisabledError) return new HttpError(400, 'access_denied', error.message, { cause: error });
  if (error instanceof SmsSendRefusedError) return smsRefusal(error, error.rateLimited ? 'too_many_requests' : 'access_denied');
  return undefined;
}

/** Runs a handler step, rethrowing its refusals in Auth0's words. */
export async function inAuth0Words<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw auth0HttpError(error) ?? error;
  }
}
