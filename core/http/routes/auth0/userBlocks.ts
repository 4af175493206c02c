import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { parsePhoneNumber } from '../../../users/phoneNumber.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { compileQuerySchema } from '../../../validation/compileQuerySchema.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { phoneNumberField } from '../mosaic/schemas.js';

const identifierQuery = {
  type: 'object',
  required: ['identifier'],
  properties: { identifier: { ...phoneNumberField, description: 'the phone number, E.164' } },
} as const;
const parseIdentifierQuery = compileQuerySchema<FromSchema<typeof identifierQuery>>(identifierQuery);

/**
 * Auth0's user blocks, for the passwordless `sms` connection, with a management token:
 * `GET /api/v2/user-blocks?identifier=<phone>` lists the IPs brute-force protection blocked for that user
 * (as keyed hashes: otpledger never stores addresses) and `DELETE` with the same query lifts them (204).
 */
export function auth0UserBlockRoutes({
  tokens,
  userBlocks,
  otpService,
}: Pick<Cradle, 'tokens' | 'userBlocks' | 'otpService'>): Router<AppState> {
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['management']);
  // a missing or repeated identifier is Auth0's invalid_query_string; one that is no phone number, invalid_phone_number
  const phoneOf = (query: unknown) => parsePhoneNumber(parseIdentifierQuery(query).identifier);

  const errors = {
    400: 'identifier is missing or not a phone number',
    401: 'no valid client access token',
    403: "the token is not a management client's",
  };
  describeRoute(router, 'GET /api/v2/user-blocks', {
    summary: 'The IPs brute-force protection blocked for a user (as keyed hashes)',
    tag: 'Auth0',
    security: [{ clientToken: ['management'] }],
    request: { query: identifierQuery },
    responses: {
      200: {
        description: 'the blocks in force',
        body: {
          type: 'object',
          required: ['blocked_for'],
          additionalProperties: false,
          properties: {
            blocked_for: {
              type: 'array',
              items: {
                type: 'object',
                required: ['identifier', 'ip', 'connection'],
                properties: {
                  identifier: { type: 'string' },
                  ip: { type: 'string', pattern: '^hash:' },
                  connection: { const: 'sms' },
                  until: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    errors,
  });
  router.get('/api/v2/user-blocks', auth, async (ctx) => {
    const phone = phoneOf(ctx.query);
    const blocks = await userBlocks.list(ctx.state.auth.tenantId, otpService.phoneHash(phone));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      blocked_for: blocks.map((block) => ({ identifier: phone.e164, ip: `hash:${block.ipHash}`, connection: 'sms', until: block.until })),
    };
  });

  describeRoute(router, 'DELETE /api/v2/user-blocks', {
    summary: "Lift a user's blocks",
    tag: 'Auth0',
    security: [{ clientToken: ['management'] }],
    request: { query: identifierQuery },
    responses: { 204: { description: 'lifted (or there were none)' } },
    errors,
  });
  router.delete('/api/v2/user-blocks', auth, async (ctx) => {
    const phone = phoneOf(ctx.query);
    const { tenantId, clientId } = ctx.state.auth;
    await userBlocks.unblock(tenantId, otpService.phoneHash(phone), eventMetadata(ctx, tenantId, clientId));
    ctx.status = 204;
  });

  return router;
}
