import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import type { Dialect } from '../../../oidc/tokenService.js';
import { compileSchema } from '../../../validation/compileSchema.js';
import { authenticateClient } from './clientAuthentication.js';
import { eventMetadata } from '../../eventMetadata.js';
import { HttpError } from '../../httpError.js';
import type { AppMiddleware } from '../../types.js';
import type { GrantHandler } from './grant.js';
import { oauthParameters } from './parameters.js';
import { authorizationCodeGrant } from './grants/authorizationCode.js';
import { clientCredentialsGrant } from './grants/clientCredentials.js';
import { PASSWORDLESS_OTP_GRANT, passwordlessOtpGrant } from './grants/passwordlessOtp.js';
import { refreshTokenGrant } from './grants/refreshToken.js';

/** Every grant of the token endpoint, by `grant_type`; discovery lists these keys. */
export const grants: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [PASSWORDLESS_OTP_GRANT]: passwordlessOtpGrant,
};

/** RFC 6749 §3.2: unknown parameters are ignored, so no `additionalProperties: false` here. */
export const tokenRequestSchema = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', maxLength: 200 },
    client_id: { type: 'string', minLength: 1, maxLength: 200 },
    client_secret: { type: 'string', maxLength: 1000 },
  },
} as const;

const parseTokenRequest = compileSchema<FromSchema<typeof tokenRequestSchema>>(tokenRequestSchema);

/**
 * The token endpoint, at `/oidc/token` (the discovered one) and at `/oauth/token` (Auth0's address): one handler,
 * the path only choosing the dialect's id_token algorithm default. Responses and errors are never cached (RFC 6749 §5.1).
 */
export function tokenEndpoint(cradle: Cradle, dialect: Dialect): AppMiddleware {
  return async (ctx) => {
    const raw = oauthParameters(ctx);
    const body = parseTokenRequest(raw);
    const grant = Object.hasOwn(grants, body.grant_type) ? grants[body.grant_type] : undefined;
    if (!grant) throw new HttpError(400, 'unsupported_grant_type', `grant_type ${body.grant_type} is not supported`);
    const client = await authenticateClient(ctx, body, cradle.applications);
    const metadata = eventMetadata(ctx, client.app.tenantId, client.app.clientId);
    ctx.body = await grant({ ctx, cradle, client, body: raw, dialect, metadata });
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  };
}
