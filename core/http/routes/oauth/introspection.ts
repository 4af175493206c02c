import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { authenticateClient } from './clientAuthentication.js';
import { eventMetadata } from '../../eventMetadata.js';
import { HttpError } from '../../httpError.js';
import type { AppMiddleware } from '../../types.js';
import { oauthParameters } from './parameters.js';

export const introspectionSchema = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', maxLength: 4096 },
    token_type_hint: { type: 'string', maxLength: 100 },
    client_id: { type: 'string', maxLength: 200 },
    client_secret: { type: 'string', maxLength: 1000 },
  },
} as const;

const parseIntrospection = compileSchema<FromSchema<typeof introspectionSchema>>(introspectionSchema);

/**
 * Token introspection (RFC 7662) at `/oidc/introspect`, for the tenant's confidential clients (a public client
 * has no credentials to show: 401 `invalid_client`). See `TokenIntrospection` for what is active.
 */
export function introspectionEndpoint(cradle: Cradle): AppMiddleware {
  return async (ctx) => {
    const body = parseIntrospection(oauthParameters(ctx));
    const { app, method } = await authenticateClient(ctx, body, cradle.applications);
    if (method === 'none') throw new HttpError(401, 'invalid_client', 'introspection is for confidential clients: authenticate with the client secret');
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    ctx.body = await cradle.tokenIntrospection.introspect(app, body.token, eventMetadata(ctx, app.tenantId, app.clientId));
  };
}
