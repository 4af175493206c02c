import type { Database } from 'better-sqlite3';
import { phoneNumberHash } from '../core/users/phoneNumber.js';
import type { RecordedEvent } from '../core/eventStore/types.js';
import type { Projection } from './projection.js';
import { parseOtpStream } from './streamNames.js';


const USER_INDEX_PHONE = /^useridx-.+-phone_number-([0-9a-f]{64})$/;

/**
 * Which events concern a phone number, for the audit API: keyed hash of the number -> global
 * positions. No number is stored: an auditor's query hashes the number with the server's key and
 * looks the hash up. Events name a phone through their stream (`otp-...-<phoneHash>`, the identifier
 * index), a `phoneHash` field, or a number in their data (hashed here, never kept).
 */
export function phoneIndexProjection(hmacKey: Buffer): Projection {
  const hashNumber = (e164: string) => phoneNumberHash(hmacKey, e164);
  const phoneHashesOf = (event: RecordedEvent): string[] => {
    const fromStream = parseOtpStream(event.streamName)?.phoneHash ?? USER_INDEX_PHONE.exec(event.streamName)?.[1];
    if (fromStream) return [fromStream];
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (typeof data.phoneHash === 'string') return [data.phoneHash];
    if (typeof data.phoneNumber === 'string') return [hashNumber(data.phoneNumber)];
    if (typeof data.to === 'string' && data.to.startsWith('+')) return [hashNumber(data.to)];
    return [];
  };
  return {
    name: 'phone_index',
    version: 2,
    canHandle: [
      'OtpIssued', 'OtpFailed', 'OtpVerified', 'UserLockedOut', 'OtpRevoked', 'IdentifierClaimed',
      'UserCreated', 'PhoneVerified', 'AuthorizationCodeIssued', 'SmsSent', 'SmsDeliveryFailed',
    ],
    tables: ['phone_index'],
    setup(db) {
      // the hash as 32 bytes, not 64 hex characters: half the index, which replays write for most events
      db.exec('CREATE TABLE IF NOT EXISTS phone_index (phone_hash BLOB NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (phone_hash, position)) WITHOUT ROWID');
    },
    writer(db) {
      const put = db.prepare('INSERT OR IGNORE INTO phone_index VALUES (?, ?)');
      return {
        apply(event) {
          for (const hash of phoneHashesOf(event)) put.run(Buffer.from(hash, 'hex'), event.globalPosition);
        },
      };
    },
  };
}

/** Positions of the events about a phone hash, after `cursor`, oldest first. */
export function phonePositions(db: Database, phoneHash: string, cursor: number, limit: number): number[] {
  const rows = db.prepare('SELECT position FROM phone_index WHERE phone_hash = ? AND position > ? ORDER BY position LIMIT ?')
    .all(Buffer.from(phoneHash, 'hex'), cursor, limit) as { position: number }[];
  return rows.map((row) => row.position);
}
