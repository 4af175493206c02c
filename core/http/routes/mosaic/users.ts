import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import type { User } from '../../../users/userDecider.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { requireClient } from '../../auth.js';
import type { AppState } from '../../types.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { appToken, MOSAIC, phoneNumberField, userSchema } from './schemas.js';
import { badRequest } from '../../httpError.js';

const createSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phone_number: phoneNumberField,
    email: { type: 'string', format: 'email', maxLength: 320 },
    username: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const parseCreate = compileSchema<FromSchema<typeof createSchema>>(createSchema);

export const userBody = (user: User) => ({
  user_id: user.userId,
  phone_number: user.phoneNumber ?? null,
  phone_number_verified: user.phoneNumberVerified,
  email: user.email ?? null,
  username: user.username ?? null,
});

/**
 * `POST /cis/v1/users` (client token): creates the user, or adds an existing one (same phone,
 * email or username) to the calling app without changing their details. 201 when created,
 * 200 when added.
 */
export function cisUserRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, users } = cradle;
  const router = new Router<AppState>();

  const created = { type: 'object', required: ['result'], properties: { result: userSchema } } as const;
  describeRoute(router, 'POST /cis/v1/users', {
    summary: 'Create a user, or add an existing one (same phone, email or username) to the calling app',
    tag: MOSAIC,
    security: appToken,
    request: { json: createSchema },
    responses: {
      201: { description: 'created', body: created },
      200: { description: 'an existing user, added to the app unchanged', body: created },
    },
    errors: {
      400: 'the body breaks the schema, has neither phone_number nor email, or the number is not a phone number',
      401: 'no valid client access token',
      403: "the token is not an app client's",
      409: 'the identifiers belong to different users',
    },
  });
  router.post('/cis/v1/users', requireClient(tokens, ['app']), async (ctx) => {
    const body = parseCreate(ctx.request.body);
    if (!body.phone_number && !body.email) throw badRequest('phone_number or email is required');
    const { tenantId, clientId } = ctx.state.auth;
    const { user, created } = await users.createOrAddToApp(
      tenantId,
      clientId,
      {
        ...(body.phone_number && { phoneNumber: parsePhoneNumber(body.phone_number).e164 }),
        ...(body.email && { email: body.email }),
        ...(body.username && { username: body.username }),
      },
      eventMetadata(ctx, tenantId, clientId),
    );
    ctx.status = created ? 201 : 200;
    ctx.body = { result: userBody(user) };
  });

  return router;
}
