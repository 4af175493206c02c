import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { redirectUriProblem } from '../../../applications/redirectUris.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import { compileQuerySchema } from '../../../validation/compileQuerySchema.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { requireClient } from '../../auth.js';
import type { AppState } from '../../types.js';
import { eventMetadata } from '../../eventMetadata.js';
import { badRequest } from '../../httpError.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { appToken, customMessageField, messageBody, MOSAIC, phoneAndPasscodeSchema, phoneNumberField, senderIdField } from './schemas.js';
import { invalidPasscode, loadApp, unknownIdentifier } from './shared.js';
import { cisOtpRules } from './otpRules.js';
import { requestContext } from '../../requestContext.js';
import { endpointUrl } from '../oauth/oidc.js';

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
    /** OAuth 2.0 (RFC 6749 §4.1.1): returned unchanged on the redirect. */
    state: { type: 'string', minLength: 1, maxLength: 1024 },
    /** OpenID Connect: put in the id_token of the code's exchange. */
    nonce: { type: 'string', minLength: 1, maxLength: 1024 },
    /** PKCE (RFC 7636): base64url(SHA-256(code_verifier)), 43 characters; checked at the code exchange. */
    code_challenge: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    code_challenge_method: { type: 'string' },
  },
} as const;

const parseSend = compileSchema<FromSchema<typeof sendSchema>>(sendSchema);
const parseValidation = compileSchema<FromSchema<typeof phoneAndPasscodeSchema>>(phoneAndPasscodeSchema);

const REDIRECT_PATH = '/cis/v1/auth/otp/sms/redirect';
const REDIRECT_TTL_SECONDS = 120;
/** The link the validation answers: its one parameter is the signed handle (a JWT). */
const redirectQuery = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } },
} as const;
const parseRedirectQuery = compileQuerySchema<FromSchema<typeof redirectQuery>>(redirectQuery);

/** PKCE is S256 only (RFC 7636 §4.2, RFC 9700 §2.1.1): `plain` puts the verifier itself on the front channel. */
function checkPkce(body: { code_challenge?: string; code_challenge_method?: string }): void {
  const method = body.code_challenge_method;
  if (method !== undefined && body.code_challenge === undefined)
    throw badRequest('code_challenge_method was given without a code_challenge');
  if (body.code_challenge === undefined) return;
  if (method === 'plain') throw badRequest('code_challenge_method plain is not supported: use S256');
  if (method !== 'S256') throw badRequest('code_challenge_method must be S256');
}

/**
 * Redirect SMS OTP login (seed "Login with SMS OTP"): send to a phone with an allowed
 * `redirect_uri` (and, as an OAuth client would, `state`, `nonce`, a PKCE `code_challenge`); validation answers
 * `{ result: URL }`; a GET on that URL redirects to `redirect_uri?code=...&state=...&iss=...`; the code is exchanged
 * at `/oidc/token` (where a new user is created if the send allowed it and the app has public sign-up).
 * The result URL carries a short-lived token signed by this server, so it cannot be turned
 * into an open redirect.
 */
export function cisSmsRedirectLoginRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, users, otpService, authorizationCodes } = cradle;
  const router = new Router<AppState>();
  const clientAuth = requireClient(tokens, ['app']);

  describeRoute(router, 'POST /cis/v1/auth/otp/sms', {
    summary: 'Send a login code by SMS (redirect flow, with state, nonce and PKCE)',
    tag: MOSAIC,
    security: appToken,
    description: 'A number that matches no user (and may not sign up) is answered exactly like a known one; no SMS is sent to it.',
    request: { json: sendSchema },
    responses: { 200: { description: 'the code is on its way (or seems so)', body: messageBody } },
    errors: {
      400: 'the body breaks the schema, the redirect_uri is not registered, PKCE is not S256, or the number is not a phone number',
      401: 'no valid client access token',
      403: "the token is not an app client's",
      429: 'SMS protection or the send limit refused it',
      502: 'the SMS provider failed',
    },
  });
  router.post('/cis/v1/auth/otp/sms', clientAuth, async (ctx) => {
    const body = parseSend(ctx.request.body);
    const { tenantId, clientId } = ctx.state.auth;
    const app = await loadApp(cradle, clientId);
    const rules = cisOtpRules(app, { customMessage: body.custom_message, senderId: body.sender_id });
    if (!app.redirect_uris.includes(body.redirect_uri)) throw badRequest("redirect_uri is not one of the application's redirect URIs");
    checkPkce(body);
    const phone = parsePhoneNumber(body.phone_number);
    const metadata = eventMetadata(ctx, tenantId, clientId);
    const request = requestContext(ctx, { publicClient: false });
    const screenedUnder = await otpService.checkDestination({ app, purpose: 'login', phone, request, metadata });
    const user = await users.findUser(tenantId, 'phone_number', phone.e164);
    const mayCreate = body.create_new_user && app.public_signup;
    if (user || mayCreate) {
      await otpService.send({
        app,
        purpose: 'login',
        phone,
        ...(user && { userId: user.userId }),
        recipientVerified: user?.phoneNumberVerified ?? false,
        redirect: {
          uri: body.redirect_uri,
          createNewUser: mayCreate,
          ...(body.state !== undefined && { state: body.state }),
          ...(body.nonce !== undefined && { nonce: body.nonce }),
          ...(body.code_challenge !== undefined && { codeChallenge: body.code_challenge }),
        },
        screenedUnder,
        rules,
        request,
        metadata,
      });
    } else {
      await otpService.sendToUnknown({
        app,
        purpose: 'login',
        identifier: unknownIdentifier(cradle, 'phone_number', phone.e164),
        screenedUnder,
        rules,
        request,
        metadata,
      });
    }
    ctx.body = { message: 'OTP sent' };
  });

  describeRoute(router, 'POST /cis/v1/auth/otp/sms/validation', {
    summary: 'Validate the code: the URL that redirects with an authorization code',
    tag: MOSAIC,
    security: appToken,
    request: { json: phoneAndPasscodeSchema },
    responses: {
      200: {
        description: 'the redirect URL (valid 2 minutes)',
        body: {
          type: 'object',
          required: ['result'],
          additionalProperties: false,
          properties: { result: { type: 'string', format: 'uri' } },
        },
      },
    },
    errors: {
      401: 'no valid client token, or a wrong, expired or used code',
      403: "the token is not an app client's",
      429: 'locked out after too many wrong codes',
    },
  });
  router.post('/cis/v1/auth/otp/sms/validation', clientAuth, async (ctx) => {
    const body = parseValidation(ctx.request.body);
    const { tenantId, clientId } = ctx.state.auth;
    const app = await loadApp(cradle, clientId);
    const phone = parsePhoneNumber(body.phone_number);
    const metadata = eventMetadata(ctx, tenantId, clientId);
    const result = await otpService.verify({
      app,
      purpose: 'login',
      phone,
      passcode: body.passcode,
      request: requestContext(ctx, { publicClient: false }),
      metadata,
    });
    if (!result.ok || !result.code.redirectUri) throw invalidPasscode();
    const { code: issued } = result;
    const redirectUri = result.code.redirectUri;
    const code = await authorizationCodes.issue({
      tenantId,
      clientId,
      redirectUri,
      userId: issued.userId,
      phoneNumber: phone.e164,
      createNewUser: issued.createNewUser ?? false,
      metadata,
      ...(issued.nonce !== undefined && { nonce: issued.nonce }),
      ...(issued.codeChallenge !== undefined && { codeChallenge: issued.codeChallenge }),
    });
    const handle = await tokens.signRedirectLink(
      { redirect_uri: redirectUri, code, ...(issued.state !== undefined && { state: issued.state }) },
      REDIRECT_TTL_SECONDS,
    );
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { result: `${endpointUrl(cradle.issuer, REDIRECT_PATH)}?token=${encodeURIComponent(handle)}` };
  });

  describeRoute(router, `GET ${REDIRECT_PATH}`, {
    summary: "Follow the validation's URL: a redirect to redirect_uri with code, state and iss",
    tag: MOSAIC,
    request: { query: redirectQuery },
    responses: {
      302: {
        description: 'to `redirect_uri?code=…&state=…&iss=…`',
        headers: { Location: { description: 'the redirect_uri with the code', schema: { type: 'string', format: 'uri' } } },
      },
    },
    errors: { 400: 'the link is invalid or has expired, or its redirect_uri is no longer allowed' },
  });
  router.get(REDIRECT_PATH, async (ctx) => {
    const { token } = parseRedirectQuery(ctx.query);
    const claims = await tokens.verifyRedirectLink(token).catch(() => {
      throw badRequest('the link is invalid or has expired');
    });
    // registered URIs are checked when registered; one recorded before those rules never becomes a redirect to script
    if (redirectUriProblem(claims.redirect_uri)) throw badRequest('the redirect_uri of this link is not allowed');
    const target = new URL(claims.redirect_uri);
    target.searchParams.set('code', claims.code);
    if (claims.state !== undefined) target.searchParams.set('state', claims.state);
    target.searchParams.set('iss', cradle.issuer); // RFC 9207: which server the code is from
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(target.toString());
  });

  return router;
}
