import type { Middleware } from 'koa';
import type { ApplicationRole } from '../applications/applicationEvents.js';
import { InvalidTokenError } from '../oidc/oauthErrors.js';
import type { AccessTokenClaims } from '../oidc/tokenClaims.js';
import type { TokenService } from '../oidc/tokenService.js';
import { HttpError } from './httpError.js';
import type { AppContext, AppState } from './types.js';

/** An application calling with its own (`client_credentials`) token. */
export interface ClientAuth {
  kind: 'client';
  tenantId: string;
  clientId: string;
  role: ApplicationRole;
}

/** A signed-in user calling through an application, within a session. */
export interface UserAuth {
  kind: 'user';
  tenantId: string;
  clientId: string;
  userId: string;
  sid: string;
  /** The scopes of the token (absent on tokens issued before they carried one: every scope). */
  scope?: string;
}

export type AuthState = ClientAuth | UserAuth;

/** `ctx.state` behind `requireClient` / `requireUser`. */
export type AuthedState<Auth extends AuthState = AuthState> = AppState & { auth: Auth };

/** RFC 6750 §2.1; the token characters are b64token. */
const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** RFC 6750 §3: a request without a token is told the scheme only; a bad token, why (quoted-string safe). */
const challenge = (error?: string, description?: string) =>
  [
    'Bearer realm="otpledger"',
    ...(error ? [`error="${error}"`] : []),
    ...(description ? [`error_description="${description.replace(/["\\\r\n]/g, '')}"`] : []),
  ].join(', ');

const missingToken = () =>
  new HttpError(401, 'invalid_token', 'a Bearer access token is required', { headers: { 'WWW-Authenticate': challenge() } });

const invalidToken = (description: string) =>
  new HttpError(401, 'invalid_token', description, { headers: { 'WWW-Authenticate': challenge('invalid_token', description) } });

const insufficientRole = (roles: readonly ApplicationRole[]) =>
  new HttpError(403, 'insufficient_scope', `this endpoint is for ${roles.join(' or ')} clients`, {
    headers: { 'WWW-Authenticate': challenge('insufficient_scope') },
  });

/**
 * The bearer token of the Authorization header, or (with `bodyToken`, RFC 6750 §2.2) the `access_token` field of a
 * form body; both at once is a 400 (§2: one method per request).
 */
function bearerToken(ctx: AppContext, bodyToken: boolean): string | undefined {
  const header = bearer.exec(ctx.get('Authorization'))?.[1];
  const form =
    bodyToken && ctx.request.is('application/x-www-form-urlencoded')
      ? (ctx.request.body as { access_token?: unknown } | undefined)?.access_token
      : undefined;
  if (form === undefined) return header;
  if (header !== undefined || ctx.get('Authorization'))
    throw new HttpError(400, 'invalid_request', 'send the access token once: in the Authorization header or in the body');
  if (typeof form !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(form)) throw invalidToken('the access_token field is not a bearer token');
  return form;
}

async function verifiedClaims(
  ctx: AppContext,
  tokens: Pick<TokenService, 'verifyAccessToken'>,
  bodyToken = false,
): Promise<AccessTokenClaims> {
  const token = bearerToken(ctx, bodyToken);
  if (!token) throw missingToken();
  try {
    return await tokens.verifyAccessToken(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw invalidToken(error.message);
    throw error;
  }
}

/**
 * Admits requests carrying a valid client access token, of one of `roles` when given (403 otherwise).
 * @example router.post('/cis/v1/users', requireClient(tokens), createUser)
 */
export function requireClient(
  tokens: Pick<TokenService, 'verifyAccessToken'>,
  roles?: readonly ApplicationRole[],
): Middleware<AuthedState<ClientAuth>> {
  return async (ctx, next) => {
    const claims = await verifiedClaims(ctx, tokens);
    if (claims.token_use !== 'client') throw invalidToken('a client access token is required');
    if (roles && !roles.includes(claims.role)) throw insufficientRole(roles);
    ctx.state.auth = { kind: 'client', tenantId: claims.tenant_id, clientId: claims.client_id, role: claims.role };
    await next();
  };
}

/**
 * Admits requests carrying a valid user access token whose session is still active: a session revoked
 * for refresh-token reuse takes its access tokens with it, though they have not expired.
 */
export function requireUser(
  tokens: Pick<TokenService, 'verifyAccessToken' | 'isSessionActive'>,
  options: { bodyToken?: boolean } = {},
): Middleware<AuthedState<UserAuth>> {
  return async (ctx, next) => {
    const claims = await verifiedClaims(ctx, tokens, options.bodyToken);
    if (claims.token_use !== 'user') throw invalidToken('a user access token is required');
    if (!(await tokens.isSessionActive(claims.sid))) throw invalidToken('the session has been revoked');
    ctx.state.auth = {
      kind: 'user',
      tenantId: claims.tenant_id,
      clientId: claims.client_id,
      userId: claims.sub,
      sid: claims.sid,
      ...(claims.scope !== undefined && { scope: claims.scope }),
    };
    await next();
  };
}
