import type { Cradle } from '../../../cradle.js';
import { authenticateClient } from './clientAuthentication.js';
import { eventMetadata } from '../../eventMetadata.js';
import { HttpError } from '../../httpError.js';
import type { AppMiddleware } from '../../types.js';
import { oauthParameters } from './parameters.js';
import { parsePresentedToken } from './presentedToken.js';

/**
 * Token revocation (RFC 7009), at `/oidc/revoke` and Auth0's `/oauth/revoke`, for confidential and public clients.
 * A refresh token or a user access token ends its whole session (`SessionRevoked`, reason `revoked_by_client`):
 * every token of the session stops working, as §2.1 allows. A token that is not valid (expired, unknown, already
 * revoked) is answered 200 and nothing happens (§2.2); another client's token is refused. A `client_credentials`
 * access token is stateless: 400 `unsupported_token_type` (it expires with `oidc.accessTokenTtlSeconds`).
 */
export function revocationEndpoint(cradle: Cradle): AppMiddleware {
  return async (ctx) => {
    const raw = oauthParameters(ctx);
    const body = parsePresentedToken(raw);
    const { app } = await authenticateClient(ctx, body, cradle.applications);
    const inspected = await cradle.tokens.inspect(body.token);
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    if (inspected) {
      const { claims } = inspected;
      if (claims.client_id !== app.clientId || claims.tenant_id !== app.tenantId) {
        throw new HttpError(400, 'invalid_request', 'the token was not issued to this client');
      }
      if (claims.token_use === 'client') {
        throw new HttpError(400, 'unsupported_token_type', 'client_credentials access tokens are not revocable: they expire on their own');
      }
      await cradle.tokens.revokeSession(
        claims.sid,
        { clientId: app.clientId, tokenJti: claims.jti },
        eventMetadata(ctx, app.tenantId, app.clientId),
      );
    }
    ctx.status = 200;
    ctx.body = {};
  };
}
