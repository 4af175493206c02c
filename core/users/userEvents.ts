import { keyedHash } from '../crypto/keyedHash.js';

/**
 * Events of a user's stream (`userStreamId`) and of the identifier index streams. Phone numbers, emails
 * and usernames are personal data: sealed with the user's key before they are appended (see
 * `core/privacy/personalData.ts`); `phoneHash` is the keyed hash the audit phone index finds them by.
 */
export type UserEvent =
  | {
      type: 'UserCreated';
      data: {
        userId: string;
        tenantId: string;
        phoneNumber?: string;
        phoneHash?: string;
        email?: string;
        username?: string;
        clientId: string;
      };
    }
  | { type: 'UserAddedToApp'; data: { clientId: string } }
  | { type: 'PhoneVerified'; data: { phoneNumber: string; phoneHash?: string; via: 'login' | 'verification' } }
  /** The data subject's erasure (GDPR art. 17): no personal data, and the end of the user. */
  | { type: 'UserErased'; data: { userId: string; at: string; actor: string } };

export type IdentifierKind = 'phone_number' | 'email' | 'username';

/**
 * Index streams make identifiers unique per tenant: the first `IdentifierClaimed` wins. An erasure
 * releases the user's identifiers, so the same phone can sign up again as a new user.
 */
export type IdentifierEvent =
  | { type: 'IdentifierClaimed'; data: { userId: string; kind: IdentifierKind } }
  | { type: 'IdentifierReleased'; data: { userId: string; kind: IdentifierKind } };

export const userStreamId = (tenantId: string, userId: string) => `user-${tenantId}-${userId}`;

/** The keyed hash that stands for an identifier (a normalised value) in stream names and indexes. */
export function identifierHash(hmacKey: Buffer, kind: string, normalised: string): string {
  return keyedHash(hmacKey, `identifier:${kind}`, normalised);
}

/** `identifierHash` as above: no raw value in a stream name. */
export const identifierStreamId = (tenantId: string, kind: IdentifierKind, identifierHash: string) =>
  `useridx-${tenantId}-${kind}-${identifierHash}`;
