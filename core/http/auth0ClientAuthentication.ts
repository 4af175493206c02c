import type { Application } from '../applications/applicationDecider.js';
import type { ApplicationRegistry } from '../applications/applicationRegistry.js';
import { authenticateClient } from './clientAuthentication.js';
import { HttpError } from './httpError.js';
import type { AppContext } from './types.js';

/**
 * The client of an Auth0 Authentication API call. With a secret (body or HTTP Basic) it is checked as at the
 * token endpoint; without one the client is taken as Auth0 takes a Native or SPA application: by its public
 * `client_id`, the OTP being the credential. Which clients may do so is the connection's `enabled_clients`.
 * Only end-user applications (`role: app`) sign users in.
 */
/** Whether the caller presents a client secret (body or HTTP Basic); without one it is a public client. */
export function presentsSecret(ctx: AppContext, body: { client_secret?: string }): boolean {
  return body.client_secret !== undefined || /^Basic /i.test(ctx.get('Authorization'));
}

export async function auth0Client(
  ctx: AppContext,
  body: { client_id?: string; client_secret?: string },
  applications: Pick<ApplicationRegistry, 'authenticate' | 'get'>,
): Promise<Application> {
  const withSecret = presentsSecret(ctx, body);
  const app = withSecret ? await authenticateClient(ctx, body, applications) : body.client_id ? await applications.get(body.client_id) : undefined;
  if (!app) throw new HttpError(401, 'invalid_client', body.client_id ? 'Unknown client' : 'client_id is required');
  if (app.role !== 'app') throw new HttpError(403, 'unauthorized_client', `client ${app.clientId} is not an end-user application`);
  return app;
}
