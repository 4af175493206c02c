import { Router } from '@koa/router';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../cradle.js';
import { redirectLinkClaims, type RedirectLinkClaims } from '../../oidc/tokenClaimsSchema.js';
import { parsePhoneNumber } from '../../users/phoneNumber.js';
import { compileSchema } from '../../validation/compileSchema.js';
import { requireClient } from '../auth.js';
import type { AppState } from '../types.js';
import { eventMetadata } from '../eventMetadata.js';
import { badRequest } from '../httpError.js';
import { customMessageField, phoneAndPasscodeSchema, phoneNumberField, senderIdField } from './cisSchemas.js';
import { invalidPasscode, loadApp, unknownIdentifier } from './cisShared.js';
import { cisOtpRules } from './cisOtpRules.js';
import { requestContext } from '../requestContext.js';

const sendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phone_number', 'redirect_uri'],
  properties: {
    phone_number: phoneNumberField,
    redirect_uri: { type: 'string', format: 'uri', maxLength: 2000 },
    create_new_user: { type: 'boolean', default: false },
    custom_message: customMessageField,
    sender_id: senderIdField,
  },
} as const;

const parseSend = compileSchema<FromSchema<typeof sendSchema>>(sendSchema);
const parseValidation = compileSchema<FromSchema<typeof phoneAndPasscodeSchema>>(phoneAndPasscodeSchema);

const REDIRECT_PATH = '/cis/v1/auth/otp/sms/redirect';
const REDIRECT_TTL = '2m';

/**
 * Redirect SMS OTP login (seed "Login with SMS OTP"): send to a phone with an allowed
 * `redirect_uri`; validation answers `{ result: URL }`; a GET on that URL redirects to
 * `redirect_uri?code=...`; the code is exchanged at `/oidc/token` (where a new user is created
 * if the send allowed it and the app has public sign-up).
 * The result URL carries a short-lived token signed by this server, so it cannot be turned
 * into an open redirect.
 */
export function cisSmsRedirectLoginRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, users, otpService, authorizationCodes, secrets } = cradle;
  const router = new Router<AppState>();
  const clientAuth = requireClient(tokens, ['app']);
  let publicKey: ReturnType<typeof importJWK> | undefined;

  router.post('/cis/v1/auth/otp/sms', clientAuth, async (ctx) => {
    const body = parseSend(ctx.request.body);
    const { tenantId, clientId } = ctx.state.auth;
    const app = await loadApp(cradle, clientId);
    const rules = cisOtpRules(app, { customMessage: body.custom_message, senderId: body.sender_id });
    if (!app.redirect_uris.includes(body.redirect_uri)) throw badRequest('redirect_uri is not one of the application\'s redirect URIs');
    const phone = parsePhoneNumber(body.phone_number);
    const metadata = eventMetadata(ctx, tenantId, clientId);
    const request = requestContext(ctx, { publicClient: false });
    await otpService.checkDestination({ app, purpose: 'login', phone, request, metadata });
    const user = await users.findUser(tenantId, 'phone_number', phone.e164);
    const mayCreate = body.create_new_user && app.public_signup;
    if (user || mayCreate) {
      await otpService.send({
        app, purpose: 'login', phone, ...(user && { userId: user.userId }), recipientVerified: user?.phoneNumberVerified ?? false,
        redirect: { uri: body.redirect_uri, createNewUser: mayCreate }, rules, request, metadata,
      });
    } else {
      await otpService.sendToUnknown({ app, purpose: 'login', identifier: unknownIdentifier(cradle, 'phone_number', phone.e164), rules, request, metadata });
    }
    ctx.body = { message: 'OTP sent' };
  });

  router.post('/cis/v1/auth/otp/sms/validation', clientAuth, async (ctx) => {
    const body = parseValidation(ctx.request.body);
    const { tenantId, clientId } = ctx.state.auth;
    const app = await loadApp(cradle, clientId);
    const phone = parsePhoneNumber(body.phone_number);
    const metadata = eventMetadata(ctx, tenantId, clientId);
    const result = await otpService.verify({ app, purpose: 'login', phone, passcode: body.passcode, request: requestContext(ctx, { publicClient: false }), metadata });
    if (!result.ok || !result.code.redirectUri) throw invalidPasscode();
    const code = await authorizationCodes.issue({
      tenantId, clientId, redirectUri: result.code.redirectUri, userId: result.code.userId,
      phoneNumber: phone.e164, createNewUser: result.code.createNewUser ?? false, metadata,
    });
    const handle = await new SignJWT({ token_use: 'redirect', redirect_uri: result.code.redirectUri, code })
      .setProtectedHeader({ alg: 'ES256', kid: secrets.signingKey.kid })
      .setIssuer(cradle.issuer)
      .setAudience(cradle.issuer)
      .setIssuedAt()
      .setExpirationTime(REDIRECT_TTL)
      .sign(secrets.signingKey.privateKey);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { result: `${cradle.issuer}${REDIRECT_PATH}?token=${encodeURIComponent(handle)}` };
  });

  router.get(REDIRECT_PATH, async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    let claims: RedirectLinkClaims;
    try {
      publicKey ??= importJWK(secrets.signingKey.publicJwk, 'ES256');
      const { payload } = await jwtVerify(token, await publicKey, { issuer: cradle.issuer, audience: cradle.issuer, algorithms: ['ES256'] });
      claims = redirectLinkClaims(payload);
    } catch {
      throw badRequest('the link is invalid or has expired');
    }
    const target = new URL(claims.redirect_uri);
    target.searchParams.set('code', claims.code);
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(target.toString());
  });

  return router;
}
