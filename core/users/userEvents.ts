import { keyedHash } from '../crypto/keyedHash.js';

/** Events of a user's stream (`userStreamId`) and of the identifier index streams. */
export type UserEvent =
  | { type: 'UserCreated'; data: { userId: string; tenantId: string; phoneNumber?: string; email?: string; username?: string; clientId: string } }
  | { type: 'UserAddedToApp'; data: { clientId: string } }
  | { type: 'PhoneVerified'; data: { phoneNumber: string; via: 'login' | 'verification' } };

export type IdentifierKind = 'phone_number' | 'email' | 'username';

/** Index streams make identifiers unique per tenant: the first `IdentifierClaimed` wins. */
export type IdentifierEvent = { type: 'IdentifierClaimed'; data: { userId: string; kind: IdentifierKind } };

export const userStreamId = (tenantId: string, userId: string) => `user-${tenantId}-${userId}`;

/** The keyed hash that stands for an identifier (a normalised value) in stream names and indexes. */
export function identifierHash(hmacKey: Buffer, kind: string, normalised: string): string {
  return keyedHash(hmacKey, `identifier:${kind}`, normalised);
}

/** `identifierHash` as above: no raw value in a stream name. */
export const identifierStreamId = (tenantId: string, kind: IdentifierKind, identifierHash: string) =>
  `useridx-${tenantId}-${kind}-${identifierHash}`;
