import type { Cradle } from '../../../cradle.js';
import { authenticateClient } from './clientAuthentication.js';
import { eventMetadata } from '../../eventMetadata.js';
import { HttpError } from '../../httpError.js';
import type { AppMiddleware } from '../../types.js';
import { oauthParameters } from './parameters.js';
import { parsePresentedToken } from './presentedToken.js';

/**
 * Token introspection (RFC 7662) at `/oidc/introspect`, for the tenant's confidential clients (a public client
 * has no credentials to show: 401 `invalid_client`). See `TokenIntrospection` for what is active.
 */
export function introspectionEndpoint(cradle: Cradle): AppMiddleware {
  return async (ctx) => {
    const body = parsePresentedToken(oauthParameters(ctx));
    const { app, method } = await authenticateClient(ctx, body, cradle.applications);
    if (method === 'none')
      throw new HttpError(401, 'invalid_client', 'introspection is for confidential clients: authenticate with the client secret');
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    ctx.body = await cradle.tokenIntrospection.introspect(app, body.token, eventMetadata(ctx, app.tenantId, app.clientId));
  };
}
