import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../cradle.js';
import { parsePhoneNumber } from '../../users/phoneNumber.js';
import type { User } from '../../users/userDecider.js';
import { compileSchema } from '../../validation/compileSchema.js';
import { requireClient } from '../auth.js';
import type { AppState } from '../types.js';
import { eventMetadata } from '../eventMetadata.js';
import { phoneNumberField } from './cisSchemas.js';
import { badRequest } from '../httpError.js';

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

  router.post('/cis/v1/users', requireClient(tokens, ['app']), async (ctx) => {
    const body = parseCreate(ctx.request.body);
    if (!body.phone_number && !body.email) throw badRequest('phone_number or email is required');
    const { tenantId, clientId } = ctx.state.auth;
    const { user, created } = await users.createOrAddToApp(tenantId, clientId, {
      ...(body.phone_number && { phoneNumber: parsePhoneNumber(body.phone_number).e164 }),
      ...(body.email && { email: body.email }),
      ...(body.username && { username: body.username }),
    }, eventMetadata(ctx, tenantId, clientId));
    ctx.status = created ? 201 : 200;
    ctx.body = { result: userBody(user) };
  });

  return router;
}
