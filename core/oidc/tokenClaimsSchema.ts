import type { ApplicationRole } from '../applications/applicationEvents.js';
import { compileSchema } from '../validation/compileSchema.js';
import { SchemaValidationError } from '../validation/schemaValidationError.js';
import { InvalidTokenError } from './oauthErrors.js';
import type { AccessTokenClaims, ClientAccessTokenClaims, RefreshTokenClaims, UserAccessTokenClaims } from './tokenClaims.js';

/**
 * The claims of every token this server verifies, as JSON Schemas. A signature proves who signed a token,
 * not that its claims have the types the code reads: a token signed with a leaked or misused key, or by a
 * bug, must fail here with 401 rather than reach a query with an object where a tenant id belongs.
 * jose checks the values of `iss`, `aud`, `exp` and the header's `typ`; these schemas check every claim's
 * type and `token_use`, the kind of token, so one kind never passes for another.
 */
const registered = {
  iss: { type: 'string', minLength: 1, maxLength: 2000 },
  aud: { type: 'string', minLength: 1, maxLength: 2000 },
  iat: { type: 'integer', minimum: 0 },
  exp: { type: 'integer', minimum: 0 },
} as const;

const identifiers = {
  jti: { type: 'string', minLength: 1, maxLength: 128 },
  sub: { type: 'string', minLength: 1, maxLength: 200 },
  client_id: { type: 'string', minLength: 1, maxLength: 200 },
  /** The tenant id rule of the bootstrap config. */
  tenant_id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
} as const;

const roles: readonly ApplicationRole[] = ['app', 'management', 'auditor'];

const clientAccessSchema = {
  type: 'object',
  required: ['iss', 'aud', 'iat', 'exp', 'jti', 'sub', 'client_id', 'tenant_id', 'token_use', 'role'],
  properties: { ...registered, ...identifiers, token_use: { const: 'client' }, role: { enum: roles } },
} as const;

const sessionProperties = { ...registered, ...identifiers, sid: { type: 'string', minLength: 1, maxLength: 128 } } as const;
const sessionRequired = ['iss', 'aud', 'iat', 'exp', 'jti', 'sub', 'client_id', 'tenant_id', 'sid', 'token_use'] as const;

const userAccessSchema = {
  type: 'object',
  required: sessionRequired,
  properties: { ...sessionProperties, token_use: { const: 'user' }, scope: { type: 'string', maxLength: 1000 } },
} as const;

const refreshSchema = {
  type: 'object',
  required: sessionRequired,
  properties: { ...sessionProperties, token_use: { const: 'refresh' } },
} as const;

/** The signed handle of a redirect SMS login link (`/cis/v1/auth/otp/sms/redirect?token=`). */
const redirectLinkSchema = {
  type: 'object',
  required: ['iss', 'aud', 'iat', 'exp', 'token_use', 'redirect_uri', 'code'],
  properties: {
    ...registered,
    token_use: { const: 'redirect' },
    redirect_uri: { type: 'string', format: 'uri', maxLength: 2000 },
    code: { type: 'string', minLength: 1, maxLength: 200 },
    state: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export interface RedirectLinkClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  token_use: 'redirect';
  redirect_uri: string;
  code: string;
  state?: string;
}

const parseClientAccess = compileSchema<ClientAccessTokenClaims>(clientAccessSchema);
const parseUserAccess = compileSchema<UserAccessTokenClaims>(userAccessSchema);
const parseRefresh = compileSchema<RefreshTokenClaims>(refreshSchema);
const parseRedirectLink = compileSchema<RedirectLinkClaims>(redirectLinkSchema);

/** A verified access token's claims, checked; `InvalidTokenError` when they are not an access token's. */
export function accessTokenClaims(payload: unknown): AccessTokenClaims {
  const tokenUse = (payload as { token_use?: unknown } | null)?.token_use;
  if (tokenUse === 'client') return checked(parseClientAccess, payload);
  if (tokenUse === 'user') return checked(parseUserAccess, payload);
  throw new InvalidTokenError('not an access token');
}

/** A verified refresh token's claims, checked; `InvalidTokenError` otherwise. */
export function refreshTokenClaims(payload: unknown): RefreshTokenClaims {
  if ((payload as { token_use?: unknown } | null)?.token_use !== 'refresh') throw new InvalidTokenError('not a refresh token');
  return checked(parseRefresh, payload);
}

/** A verified redirect link handle's claims, checked; `InvalidTokenError` otherwise. */
export function redirectLinkClaims(payload: unknown): RedirectLinkClaims {
  if ((payload as { token_use?: unknown } | null)?.token_use !== 'redirect') throw new InvalidTokenError('not a redirect link');
  return checked(parseRedirectLink, payload);
}

function checked<T>(parse: (value: unknown) => T, payload: unknown): T {
  try {
    return parse(payload);
  } catch (error) {
    // the problems name claims, never their values: safe to show
    if (error instanceof SchemaValidationError) throw new InvalidTokenError(`the token's claims are not valid: ${error.message}`);
    throw error;
  }
}
