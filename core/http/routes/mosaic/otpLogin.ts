import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import type { User } from '../../../users/userDecider.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { requireClient } from '../../auth.js';
import type { AppState } from '../../types.js';
import { eventMetadata } from '../../eventMetadata.js';
import { badRequest, HttpError } from '../../httpError.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import {
  appToken,
  identifierField,
  identifierTypeField,
  passcodeField,
  customMessageField,
  senderIdField,
  messageBody,
  MOSAIC,
  userTokensBody,
} from './schemas.js';
import { loadApp, invalidPasscode, unknownIdentifier } from './shared.js';
import { cisOtpRules } from './otpRules.js';
import { requestContext } from '../../requestContext.js';

const sendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'identifier_type', 'identifier'],
  properties: {
    channel: { type: 'string', enum: ['sms', 'email'] },
    identifier_type: identifierTypeField,
    identifier: identifierField,
    custom_sms_input: {
      type: 'object',
      additionalProperties: false,
      properties: { custom_message: customMessageField, sender_id: senderIdField },
    },
  },
} as const;

const authenticateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['passcode', 'identifier_type', 'identifier'],
  properties: { passcode: passcodeField, identifier_type: identifierTypeField, identifier: identifierField },
} as const;

const parseSend = compileSchema<FromSchema<typeof sendSchema>>(sendSchema);
const parseAuthenticate = compileSchema<FromSchema<typeof authenticateSchema>>(authenticateSchema);

/**
 * Backend SMS OTP login (seed "Login with SMS OTP", backend flow), with a client access token:
 * `POST /cis/v1/auth/otp/send` then `POST /cis/v1/auth/otp/authenticate` -> user tokens.
 * An identifier that matches no user of the app is answered exactly like a known one.
 */
export function cisOtpLoginRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, users, otpService } = cradle;
  const router = new Router<AppState>();
  const clientAuth = requireClient(tokens, ['app']);

  async function findAppUser(tenantId: string, clientId: string, type: string, identifier: string): Promise<User | undefined> {
    const value = type === 'phone_number' ? parsePhoneNumber(identifier).e164 : identifier;
    const user = await users.findUser(tenantId, type as 'phone_number', value);
    return user?.phoneNumber && user.apps.includes(clientId) ? user : undefined;
  }

  describeRoute(router, 'POST /cis/v1/auth/otp/send', {
    summary: 'Send a login code by SMS (backend flow)',
    tag: MOSAIC,
    security: appToken,
    description: 'An identifier that matches no user of the application is answered exactly like a known one; no SMS is sent to it.',
    request: { json: sendSchema },
    responses: { 200: { description: 'the code is on its way (or, for an unknown identifier, it seems so)', body: messageBody } },
    errors: {
      400: 'the body breaks the schema, the channel is not sms, the number is not a phone number, or the custom message is refused',
      401: 'no valid client access token',
      403: "the token is not an app client's",
      429: 'SMS protection or the per-code send limit refused the send (`Retry-After`)',
      502: 'the SMS provider failed',
    },
  });
  router.post('/cis/v1/auth/otp/send', clientAuth, async (ctx) => {
    const body = parseSend(ctx.request.body);
    if (body.channel !== 'sms') throw badRequest('channel "email" is not supported by this server; use "sms"');
    const { custom_message: customMessage, sender_id: senderId } = body.custom_sms_input ?? {};
    const { tenantId, clientId } = ctx.state.auth;
    const app = await loadApp(cradle, clientId);
    const rules = cisOtpRules(app, { customMessage, senderId });
    const metadata = eventMetadata(ctx, tenantId, clientId);
    const request = requestContext(ctx, { publicClient: false });
    const byNumber = body.identifier_type === 'phone_number';
    // a number's country and type are screened before anyone is looked up: the answer is the same for all
    const screenedUnder = byNumber
      ? await otpService.checkDestination({ app, purpose: 'login', phone: parsePhoneNumber(body.identifier), request, metadata })
      : undefined;
    const user = await findAppUser(tenantId, clientId, body.identifier_type, body.identifier);
    if (user) {
      const phone = parsePhoneNumber(user.phoneNumber!);
      await otpService.send({
        app,
        purpose: 'login',
        phone,
        userId: user.userId,
        recipientVerified: user.phoneNumberVerified,
        byNumber,
        ...(screenedUnder && { screenedUnder }),
        rules,
        request,
        metadata,
      });
    } else {
      const identifier = unknownIdentifier(cradle, body.identifier_type, body.identifier);
      await otpService.sendToUnknown({
        app,
        purpose: 'login',
        identifier,
        ...(screenedUnder && { screenedUnder }),
        rules,
        request,
        metadata,
      });
    }
    ctx.body = { message: 'OTP sent' };
  });

  describeRoute(router, 'POST /cis/v1/auth/otp/authenticate', {
    summary: 'Authenticate with the code: user tokens',
    tag: MOSAIC,
    security: appToken,
    request: { json: authenticateSchema },
    responses: { 200: { description: 'the user tokens of a new session', body: userTokensBody } },
    errors: {
      401: 'no valid client token, or a wrong, expired or used code, or an unknown user (alike)',
      403: "the token is not an app client's",
      429: 'locked out after too many wrong codes',
    },
  });
  router.post('/cis/v1/auth/otp/authenticate', clientAuth, async (ctx) => {
    const body = parseAuthenticate(ctx.request.body);
    const { tenantId, clientId } = ctx.state.auth;
    const app = await loadApp(cradle, clientId);
    const metadata = eventMetadata(ctx, tenantId, clientId);
    const request = requestContext(ctx, { publicClient: false });
    const user = await findAppUser(tenantId, clientId, body.identifier_type, body.identifier);
    if (!user) {
      // counted and locked out in the identifier's own stream, exactly as a known one's wrong guesses
      const identifier = unknownIdentifier(cradle, body.identifier_type, body.identifier);
      await otpService.verifyUnknown({ app, purpose: 'login', identifier, passcode: body.passcode, request, metadata });
      throw invalidPasscode();
    }
    const phone = parsePhoneNumber(user.phoneNumber!);
    const result = await otpService.verify({ app, purpose: 'login', phone, passcode: body.passcode, request, metadata });
    if (!result.ok) throw invalidPasscode();
    if (result.code.userId !== user.userId) throw new HttpError(401, 'invalid_passcode', 'invalid or expired passcode');
    // the phone is marked verified on the first SMS authentication only
    const verified = user.phoneNumberVerified ? user : await users.verifyPhone(tenantId, user.userId, phone.e164, 'login', metadata);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await tokens.startSession({ app, user: verified, amr: ['otp', 'sms'], metadata });
  });

  return router;
}
