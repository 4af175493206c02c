import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { requireUser } from '../../auth.js';
import type { AppState } from '../../types.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { customMessageField, messageBody, MOSAIC, phoneAndPasscodeSchema, phoneNumberField, senderIdField, userToken } from './schemas.js';
import { invalidPasscode, loadApp } from './shared.js';
import { cisOtpRules } from './otpRules.js';
import { requestContext } from '../../requestContext.js';

const sendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phone_number'],
  properties: { phone_number: phoneNumberField, custom_message: customMessageField, sender_id: senderIdField },
} as const;

const parseSend = compileSchema<FromSchema<typeof sendSchema>>(sendSchema);
const parseValidate = compileSchema<FromSchema<typeof phoneAndPasscodeSchema>>(phoneAndPasscodeSchema);

/**
 * Phone verification (seed "Verify phone using SMS OTP"), with a USER access token: on a valid
 * code the phone is added to the user's profile and marked verified. No tokens are returned.
 */
export function cisPhoneVerificationRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, users, otpService } = cradle;
  const router = new Router<AppState>();
  const userAuth = requireUser(tokens);

  describeRoute(router, 'POST /cis/v1/verification/otp/sms/send', {
    summary: 'Send a code to verify a phone for the signed-in user',
    tag: MOSAIC,
    security: userToken,
    request: { json: sendSchema },
    responses: { 200: { description: 'sent', body: messageBody } },
    errors: {
      400: 'the body breaks the schema or the number is not a phone number',
      401: 'no valid user access token',
      429: 'SMS protection or the send limit refused it',
      502: 'the SMS provider failed',
    },
  });
  router.post('/cis/v1/verification/otp/sms/send', userAuth, async (ctx) => {
    const body = parseSend(ctx.request.body);
    const auth = ctx.state.auth as { tenantId: string; clientId: string; userId: string };
    const app = await loadApp(cradle, auth.clientId);
    const rules = cisOtpRules(app, { customMessage: body.custom_message, senderId: body.sender_id });
    const phone = parsePhoneNumber(body.phone_number);
    await otpService.send({
      app,
      purpose: 'verify',
      phone,
      userId: auth.userId,
      rules,
      request: requestContext(ctx, { publicClient: false }),
      metadata: eventMetadata(ctx, auth.tenantId, auth.userId),
    });
    ctx.body = { message: 'OTP sent' };
  });

  describeRoute(router, 'POST /cis/v1/verification/otp/sms/validate', {
    summary: "Validate the code: the phone is added to the user's profile, verified",
    tag: MOSAIC,
    security: userToken,
    request: { json: phoneAndPasscodeSchema },
    responses: {
      200: {
        description: 'verified',
        body: {
          type: 'object',
          required: ['message', 'result'],
          properties: {
            message: { type: 'string' },
            result: {
              type: 'object',
              required: ['user_id', 'phone_number', 'phone_number_verified'],
              properties: { user_id: { type: 'string' }, phone_number: { type: 'string' }, phone_number_verified: { const: true } },
            },
          },
        },
      },
    },
    errors: { 401: 'no valid user token, or a wrong, expired or used code', 429: 'locked out after too many wrong codes' },
  });
  router.post('/cis/v1/verification/otp/sms/validate', userAuth, async (ctx) => {
    const body = parseValidate(ctx.request.body);
    const auth = ctx.state.auth as { tenantId: string; clientId: string; userId: string };
    const app = await loadApp(cradle, auth.clientId);
    const phone = parsePhoneNumber(body.phone_number);
    const metadata = eventMetadata(ctx, auth.tenantId, auth.userId);
    const result = await otpService.verify({
      app,
      purpose: 'verify',
      phone,
      passcode: body.passcode,
      request: requestContext(ctx, { publicClient: false }),
      metadata,
    });
    // a code sent for another user's verification never verifies this one
    if (!result.ok || result.code.userId !== auth.userId) throw invalidPasscode();
    const user = await users.verifyPhone(auth.tenantId, auth.userId, phone.e164, 'verification', metadata);
    ctx.body = {
      message: 'Phone number verified',
      result: { user_id: user.userId, phone_number: user.phoneNumber, phone_number_verified: true },
    };
  });

  return router;
}
