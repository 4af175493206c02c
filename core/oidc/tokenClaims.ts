import type { ApplicationRole } from '../applications/applicationEvents.js';

/**
 * The claims of every JWT otpledger signs (ES256, or RS256 for an id_token that asks for it; `kid` header). Access and refresh tokens are
 * meant for this server (`aud` = issuer) and say what they are in `token_use`, so one can never
 * pass for another; the id token is meant for the client (`aud` = client_id).
 */
interface Registered {
  iss: string;
  iat: number;
  exp: number;
}

/** `client_credentials`: the application itself. Header `typ: at+jwt` (RFC 9068). */
export interface ClientAccessTokenClaims extends Registered {
  token_use: 'client';
  sub: string;
  aud: string;
  jti: string;
  client_id: string;
  tenant_id: string;
  role: ApplicationRole;
}

/** What every token of a user's session carries: the user, the application, the session. */
interface SessionTokenClaims extends Registered {
  sub: string;
  aud: string;
  jti: string;
  client_id: string;
  tenant_id: string;
  sid: string;
}

/** A signed-in user, through an application, in a session. Header `typ: at+jwt`. */
export interface UserAccessTokenClaims extends SessionTokenClaims {
  token_use: 'user';
  /** What the token allows at userinfo (RFC 9068 §2.2.3); absent on tokens issued before: every scope. */
  scope?: string;
}

export type AccessTokenClaims = ClientAccessTokenClaims | UserAccessTokenClaims;

/** Rotating: each use records its `jti` as spent and issues the next one (see `sessionDecider`). */
export interface RefreshTokenClaims extends SessionTokenClaims {
  token_use: 'refresh';
}

/** OpenID Connect Core §2 and §5.1; `sub` is the user id. */
export interface IdTokenClaims extends Registered {
  sub: string;
  aud: string;
  sid: string;
  amr: string[];
  nonce?: string;
  phone_number?: string;
  phone_number_verified: boolean;
  email?: string;
  username?: string;
}

export interface ClientTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface SessionTokenResponse extends ClientTokenResponse {
  id_token: string;
  refresh_token: string;
  session_id: string;
}
