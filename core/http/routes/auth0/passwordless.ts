import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { auth0Client, presentsSecret } from './clientAuthentication.js';
import { eventMetadata } from '../../eventMetadata.js';
import { HttpError } from '../../httpError.js';
import { requestContext } from '../../requestContext.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { clientCredentials } from '../../openapi/securitySchemes.js';
import type { AppState } from '../../types.js';

/** Auth0 ignores parameters it does not use (`authParams` among them for a code), so no `additionalProperties: false`. */
const startSchema = {
  type: 'object',
  required: ['client_id', 'connection', 'phone_number'],
  properties: {
    client_id: { type: 'string', minLength: 1 },
    client_secret: { type: 'string' },
    connection: { type: 'string' },
    phone_number: { type: 'string', minLength: 1, maxLength: 32 },
    send: { type: 'string', enum: ['code', 'link'], default: 'code' },
    authParams: {},
  },
} as const;

const parseStart = compileSchema<FromSchema<typeof startSchema>>(startSchema);

/**
 * `POST /passwordless/start` of Auth0's Authentication API for the `sms` connection (JSON or form): a code by
 * SMS through the connection's provider. A provider failure is 400 `sms_provider_error` with the provider's
 * words, as Auth0 answers (seed "custom SMS gateway", Error handling).
 */
export function auth0PasswordlessRoutes({
  applications,
  passwordlessLogin,
}: Pick<Cradle, 'applications' | 'passwordlessLogin'>): Router<AppState> {
  const router = new Router<AppState>();

  describeRoute(router, 'POST /passwordless/start', {
    summary: "Start a passwordless SMS login (Auth0's Authentication API)",
    tag: 'Auth0',
    security: clientCredentials,
    description:
      'A public client sends its client_id only; a confidential one its secret as well. The code is exchanged at `POST /oauth/token` with the passwordless OTP grant.',
    request: { json: startSchema, form: startSchema },
    responses: {
      200: {
        description: 'the code is on its way',
        body: {
          type: 'object',
          required: ['_id', 'phone_number', 'phone_verified'],
          properties: {
            _id: { type: 'string' },
            phone_number: { type: 'string' },
            phone_verified: { type: 'boolean' },
            request_language: { type: ['string', 'null'] },
          },
        },
      },
    },
    errors: {
      400: 'bad.connection, bad.request, sms_provider_error (the provider refused), access_denied (sign-up disabled), or an invalid number',
      401: 'invalid_client: unknown client or wrong secret (alike)',
      429: 'too_many_attempts, or SMS protection refused the send',
    },
  });
  router.post('/passwordless/start', async (ctx) => {
    const body = parseStart(ctx.request.body);
    if (body.connection !== 'sms')
      throw new HttpError(400, 'bad.connection', `Connection does not exist: this server has the "sms" connection only`);
    if (body.send !== 'code') throw new HttpError(400, 'bad.request', 'the sms connection sends a code (send: "code")');
    const app = await auth0Client(ctx, body, applications);
    const phone = parsePhoneNumber(body.phone_number);
    const request = requestContext(ctx, { publicClient: !presentsSecret(ctx, body) });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await passwordlessLogin.start({ app, phone, request, metadata: eventMetadata(ctx, app.tenantId, app.clientId) });
  });

  return router;
}
