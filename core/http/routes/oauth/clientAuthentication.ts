import type { Application } from '../../../applications/applicationDecider.js';
import { isPublicClient } from '../../../applications/applicationEvents.js';
import type { ApplicationRegistry } from '../../../applications/applicationRegistry.js';
import { badRequest, HttpError } from '../../httpError.js';
import type { AppContext } from '../../types.js';

/** How the client authenticated: a secret (RFC 6749 §2.3.1), or `none` for a public client's bare client_id. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

type Credentials =
  { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string } | { method: 'none'; clientId: string };

export interface AuthenticatedClient {
  app: Application;
  method: ClientAuthMethod;
}

const FAILED = 'client authentication failed';

const invalidClient = (method: ClientAuthMethod | undefined, description = FAILED) =>
  new HttpError(401, 'invalid_client', description, {
    // RFC 6749 §5.2: a client that tried the Authorization header is told which scheme to use
    headers: method === 'client_secret_basic' ? { 'WWW-Authenticate': 'Basic realm="otpledger"' } : {},
  });

/**
 * Client authentication (RFC 6749 §2.3.1): HTTP Basic, or `client_id` and `client_secret` in the body (both at
 * once only when they name the same credentials), or a `client_id` alone, which only a public client
 * (`token_endpoint_auth_method: "none"`) may send. Unknown client, wrong secret, a public client presenting a
 * secret and a confidential client without one all fail alike: 401 `invalid_client`, "client authentication failed".
 */
export async function authenticateClient(
  ctx: AppContext,
  body: { client_id?: string; client_secret?: string },
  applications: Pick<ApplicationRegistry, 'authenticate' | 'get'>,
): Promise<AuthenticatedClient> {
  const credentials = readCredentials(ctx.get('Authorization'), body);
  if (credentials.method === 'none') {
    const app = await applications.get(credentials.clientId);
    if (!app || !isPublicClient(app)) throw invalidClient('none');
    return { app, method: 'none' };
  }
  const app = await applications.authenticate(credentials.clientId, credentials.clientSecret);
  if (!app) throw invalidClient(credentials.method);
  return { app, method: credentials.method };
}

function readCredentials(authorization: string, body: { client_id?: string; client_secret?: string }): Credentials {
  const basic = /^Basic /i.test(authorization) ? decodeBasic(authorization.slice(6).trim()) : undefined;
  if (basic) {
    const conflicting =
      (body.client_id !== undefined && body.client_id !== basic.clientId) ||
      (body.client_secret !== undefined && body.client_secret !== basic.clientSecret);
    if (conflicting) throw badRequest('client credentials were given both in the Authorization header and in the body, and differ');
    return basic;
  }
  if (body.client_id === undefined) {
    // another scheme in the Authorization header (a Bearer token) is an attempt too: it is told to use Basic
    throw invalidClient(
      authorization ? 'client_secret_basic' : undefined,
      'client authentication is required: HTTP Basic, or client_id (and client_secret for a confidential client)',
    );
  }
  if (body.client_secret === undefined) return { method: 'none', clientId: body.client_id };
  return { method: 'client_secret_post', clientId: body.client_id, clientSecret: body.client_secret };
}

/** `base64(urlencode(client_id) ":" urlencode(client_secret))`, RFC 6749 §2.3.1. */
function decodeBasic(encoded: string): Credentials & { method: 'client_secret_basic' } {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalidClient('client_secret_basic', 'malformed HTTP Basic credentials');
  try {
    const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, '%20'));
    return {
      method: 'client_secret_basic',
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw invalidClient('client_secret_basic', 'malformed HTTP Basic credentials');
  }
}
