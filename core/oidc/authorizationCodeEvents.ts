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
}

export type AuthorizationCodeEvent =
  | { type: 'AuthorizationCodeIssued'; data: AuthorizationCodeGrant }
  | { type: 'AuthorizationCodeRedeemed'; data: { clientId: string; at: string } };

export const authorizationCodeEventTypes = ['AuthorizationCodeIssued', 'AuthorizationCodeRedeemed'] as const;

/** Authorization codes are hashed in this domain of `keyedHash`. */
export const AUTHORIZATION_CODE_DOMAIN = 'authorization-code';

/** The one owner of authorization code stream names: `codeHash` is `keyedHash(hmacKey, AUTHORIZATION_CODE_DOMAIN, code)`. */
export const authorizationCodeStreamId = (codeHash: string) => `authcode-${codeHash}`;
