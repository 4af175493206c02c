import type { FromSchema } from 'json-schema-to-ts';
import { WrongVerificationCodeError } from '../../../../auth0/passwordlessErrors.js';
import { parsePhoneNumber, type PhoneNumber } from '../../../../users/phoneNumber.js';
import { compileSchema } from '../../../../validation/compileSchema.js';
import { HttpError } from '../../../httpError.js';
import { requestContext } from '../../../requestContext.js';
import type { GrantHandler } from '../grant.js';

/** Auth0's grant type for a passwordless code (its Authentication API, "Authenticate user"). */
export const PASSWORDLESS_OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

export const otpGrantSchema = {
  type: 'object',
  required: ['username', 'otp', 'realm'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 32 },
    otp: { type: 'string', minLength: 1, maxLength: 32 },
    realm: { type: 'string' },
    scope: { type: 'string', maxLength: 1000, default: 'openid' },
    /** Accepted and not used: access tokens are for this server (their `aud` is the issuer). */
    audience: { type: 'string' },
  },
} as const;

const parseOtpGrant = compileSchema<FromSchema<typeof otpGrantSchema>>(otpGrantSchema);

/**
 * The passwordless OTP grant (`realm: "sms"`, the phone as `username`), at `/oauth/token` and at the discovered
 * `/oidc/token` alike, id_tokens RS256 unless the application chose otherwise. Refusals are Auth0's at
 * `/oauth/token` (a wrong code is 403 `invalid_grant`, as Auth0 answers) and RFC 6749 §5.2's at `/oidc/token`.
 */
export const passwordlessOtpGrant: GrantHandler = async ({ ctx, cradle, client, body, dialect, metadata }) => {
  const grant = parseOtpGrant(body);
  if (grant.realm !== 'sms') throw new HttpError(400, 'invalid_request', 'realm must be "sms", the passwordless SMS connection');
  const { app } = client;
  // Auth0 answers 403; RFC 6749 §5.2 says 400
  if (app.role !== 'app')
    throw new HttpError(dialect === 'oidc' ? 400 : 403, 'unauthorized_client', `client ${app.clientId} is not an end-user application`);
  const request = requestContext(ctx, { publicClient: client.method === 'none' });
  // the domain's refusals are rendered by the path's dialect: Auth0's words at /oauth/token, RFC 6749's at /oidc/token
  return cradle.passwordlessLogin.exchange({ app, phone: phoneOf(grant.username), otp: grant.otp, scope: grant.scope, request, metadata });
};

/** A username that is no phone number cannot have a code: the same answer as a wrong code. */
function phoneOf(username: string): PhoneNumber {
  try {
    return parsePhoneNumber(username);
  } catch {
    throw new WrongVerificationCodeError();
  }
}
