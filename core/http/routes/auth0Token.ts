import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import { WrongVerificationCodeError } from '../../auth0/passwordlessErrors.js';
import type { Cradle } from '../../cradle.js';
import { parsePhoneNumber, type PhoneNumber } from '../../users/phoneNumber.js';
import { compileSchema } from '../../validation/compileSchema.js';
import { auth0Client, presentsSecret } from '../auth0ClientAuthentication.js';
import { inAuth0Words } from '../auth0Errors.js';
import { eventMetadata } from '../eventMetadata.js';
import { HttpError } from '../httpError.js';
import { requestContext } from '../requestContext.js';
import type { AppState } from '../types.js';
import { tokenEndpoint, withoutEmptyValues } from './oidc.js';

export const PASSWORDLESS_OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

const otpGrantSchema = {
  type: 'object',
  required: ['grant_type', 'client_id', 'username', 'otp', 'realm'],
  properties: {
    grant_type: { type: 'string' },
    client_id: { type: 'string', minLength: 1 },
    client_secret: { type: 'string' },
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
 * `POST /oauth/token`, Auth0's token endpoint: the passwordless OTP grant (`realm: "sms"`, the phone as
 * `username`), and every grant of `/oidc/token` too, so an Auth0 client needs one address.
 */
export function auth0TokenRoutes(cradle: Cradle): Router<AppState> {
  const { applications, passwordlessLogin } = cradle;
  const router = new Router<AppState>();
  const otherGrants = tokenEndpoint(cradle);

  router.post('/oauth/token', async (ctx, next) => {
    const raw = withoutEmptyValues(ctx.request.body) as { grant_type?: unknown } | undefined;
    if (raw?.grant_type !== PASSWORDLESS_OTP_GRANT) return otherGrants(ctx, next);
    const body = parseOtpGrant(raw);
    if (body.realm !== 'sms') throw new HttpError(400, 'invalid_request', 'realm must be "sms", the passwordless SMS connection');
    const app = await auth0Client(ctx, body, applications);
    const request = requestContext(ctx, { publicClient: !presentsSecret(ctx, body) });
    ctx.body = await inAuth0Words(() => passwordlessLogin.exchange({
      app, phone: phoneOf(body.username), otp: body.otp, scope: body.scope, request, metadata: eventMetadata(ctx, app.tenantId, app.clientId),
    }));
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });

  return router;
}

/** A username that is no phone number cannot have a code: the same answer as a wrong code. */
function phoneOf(username: string): PhoneNumber {
  try {
    return parsePhoneNumber(username);
  } catch {
    throw new HttpError(403, 'invalid_grant', new WrongVerificationCodeError().message);
  }
}
