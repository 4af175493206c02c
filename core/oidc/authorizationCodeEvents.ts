/**
 * Events of an authorization code's stream (`authorizationCodeStreamId`). The stream is named by a
 * keyed hash of the code; the code itself is never stored.
 */
export interface AuthorizationCodeGrant {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  /** The known user the code signs in; absent when the user may be created at the exchange. */
  userId?: string;
  /** E.164; verified by the OTP that led to this code. Sealed with the phone's key. */
  phoneNumber: string;
  /** Keyed hash of `phoneNumber`, for the audit phone index. */
  phoneHash?: string;
  createNewUser: boolean;
  expiresAt: string;
  /** OpenID Connect: echoed in the id_token, so the client knows the answer is to its own request. */
  nonce?: string;
  /** PKCE (RFC 7636): base64url(SHA-256(code_verifier)); `S256` is the only method. */
  codeChallenge?: string;
}

export type AuthorizationCodeEvent =
  | { type: 'AuthorizationCodeIssued'; data: AuthorizationCodeGrant }
  /** `sid`: the session this redemption starts (absent on codes redeemed before it was recorded). */
  | { type: 'AuthorizationCodeRedeemed'; data: { clientId: string; at: string; sid?: string } }
  /** The code came back after its redemption: refused, and the session of the redemption revoked (RFC 6749 §4.1.2). */
  | { type: 'AuthorizationCodeReplayed'; data: { clientId: string; at: string; sid?: string } };

/** Authorization codes are hashed in this domain of `keyedHash`. */
export const AUTHORIZATION_CODE_DOMAIN = 'authorization-code';

/** The one owner of authorization code stream names: `codeHash` is `keyedHash(hmacKey, AUTHORIZATION_CODE_DOMAIN, code)`. */
export const authorizationCodeStreamId = (codeHash: string) => `authcode-${codeHash}`;
