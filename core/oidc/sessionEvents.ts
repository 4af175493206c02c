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

export type SessionRevocationReason = 'refresh_token_reuse';

export type SessionEvent =
  | { type: 'SessionStarted'; data: { sid: string; tenantId: string; clientId: string; userId: string; amr: string[] } }
  | { type: 'TokensIssued'; data: IssuedTokens & { grant: SessionGrant } }
  | { type: 'SessionRevoked'; data: { reason: SessionRevocationReason; refreshTokenJti: string } };

export const sessionEventTypes = ['SessionStarted', 'TokensIssued', 'SessionRevoked'] as const;

/** The one owner of session stream names; session ids are UUIDs, unique across tenants. */
export const sessionStreamId = (sid: string) => `session-${sid}`;
