/**
 * Events of a session stream (`sessionStreamId`): who signed in, through which application, and the
 * ids (`jti`) of the tokens issued to it. Never a token: a stored jti cannot be presented as one.
 */
export type SessionGrant = 'otp' | 'authorization_code' | 'refresh_token';

export interface IssuedTokens {
  accessTokenJti: string;
  refreshTokenJti: string;
  /** When the access token expires (ISO 8601). */
  expiresAt: string;
}

/**
 * Why a session ended before its tokens expired: an old refresh token came back (RFC 9700 §4.14.2), the client
 * revoked one of its tokens (RFC 7009), or its authorization code was presented again (RFC 6749 §4.1.2).
 */
export type SessionRevocationReason = 'refresh_token_reuse' | 'revoked_by_client' | 'authorization_code_replay';

export interface SessionStartedData {
  sid: string;
  tenantId: string;
  clientId: string;
  userId: string;
  amr: string[];
  /** What the session's access tokens allow at userinfo (absent on sessions started before: every scope). */
  scope?: string;
}

export type SessionEvent =
  | { type: 'SessionStarted'; data: SessionStartedData }
  | { type: 'TokensIssued'; data: IssuedTokens & { grant: SessionGrant } }
  /** `refreshTokenJti`: the reused token; `tokenJti` and `clientId`: the token a client revoked. */
  | { type: 'SessionRevoked'; data: { reason: SessionRevocationReason; refreshTokenJti?: string; tokenJti?: string; clientId?: string } };

/** The one owner of session stream names; session ids are UUIDs, unique across tenants. */
export const sessionStreamId = (sid: string) => `session-${sid}`;
