import type { Application } from '../../../applications/applicationDecider.js';
import type { ApplicationRegistry } from '../../../applications/applicationRegistry.js';
import { authenticateClient } from '../oauth/clientAuthentication.js';
import { HttpError } from '../../httpError.js';
import type { AppContext } from '../../types.js';

/** Whether the caller presents a client secret (body or HTTP Basic); without one it is a public client. */
export function presentsSecret(ctx: AppContext, body: { client_secret?: string }): boolean {
  return body.client_secret !== undefined || /^Basic /i.test(ctx.get('Authorization'));
}

/**
 * The client of an Auth0 Authentication API call, authenticated as at the token endpoint: a confidential client
 * with its secret (body or HTTP Basic), a public one (`token_endpoint_auth_method: "none"`, Auth0's Native and
 * SPA applications) by its `client_id` alone. A confidential client without its secret is 401 `invalid_client`,
 * like an unknown one. Which clients may use the connection is its `enabled_clients`; only end-user
 * applications (`role: app`) sign users in.
 */
export async function auth0Client(
  ctx: AppContext,
  body: { client_id?: string; client_secret?: string },
  applications: Pick<ApplicationRegistry, 'authenticate' | 'get'>,
): Promise<Application> {
  const { app } = await authenticateClient(ctx, body, applications);
  if (app.role !== 'app') throw new HttpError(403, 'unauthorized_client', `client ${app.clientId} is not an end-user application`);
  return app;
}
