import type { Database } from 'better-sqlite3';
import { BoundedCache } from '../core/support/boundedCache.js';
import { phoneNumberHash } from '../core/users/phoneNumber.js';
import type { RecordedEvent } from '../core/eventStore/types.js';
import { isSealedValue } from '../core/privacy/sealedValue.js';
import type { Projection } from './projection.js';
import { bruteForcePhoneHash, parseOtpStream, userIndexPhoneHash } from './streamNames.js';

/** Phone numbers whose hash is remembered; beyond it they are hashed again. */
const MAX_CACHED_PHONES = 500_000;

/**
 * Which events concern a phone number, for the audit API: keyed hash of the number -> global
 * positions. No number is stored: an auditor's query hashes the number with the server's key and
 * looks the hash up. Events name a phone through their stream (`otp-...-<phoneHash>`, the identifier
 * index, brute-force streams) or a `phoneHash` field; events written before personal data was sealed
 * through a number in clear in their data (hashed here, never kept).
 *
 * Nearly every event of a replay lands here, so the layout is for writing: a batch writes one row per
 * phone holding all of that phone's positions in the batch (packed float64s, keyed by the last one).
 * A phone's events come close together (issued, sent, verified), so a replay writes a fraction of the
 * rows that a row per event took, which had made this the slowest projection.
 */
export function phoneIndexProjection(hmacKey: Buffer): Projection {
  // SMS events carry the number, and the same numbers come back cycle after cycle: an HMAC each time
  // was a tenth of a replay
  const hashes = new BoundedCache<string, string>(MAX_CACHED_PHONES);
  const hashNumber = (e164: string) => hashes.getOrCompute(e164, () => phoneNumberHash(hmacKey, e164));
  const phoneHashOf = (event: RecordedEvent): string | undefined => {
    const fromStream =
      parseOtpStream(event.streamName)?.phoneHash ?? userIndexPhoneHash(event.streamName) ?? bruteForcePhoneHash(event.streamName);
    if (fromStream) return fromStream;
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (typeof data.phoneHash === 'string') return data.phoneHash;
    // a sealed number cannot be hashed (and needs not: its event carries phoneHash)
    if (typeof data.phoneNumber === 'string' && !isSealedValue(data.phoneNumber)) return hashNumber(data.phoneNumber);
    // SMS outcomes recorded before they moved into the OTP streams carried the number
    if (typeof data.to === 'string' && data.to.startsWith('+')) return hashNumber(data.to);
    return undefined;
  };
  return {
    name: 'phone_index',
    version: 6,
    canHandle: [
      'OtpIssued',
      'OtpFailed',
      'OtpVerified',
      'UserLockedOut',
      'OtpRevoked',
      'OtpRequestedForUnknownIdentifier',
      'SmsSendRefused',
      'IdentifierClaimed',
      'IdentifierReleased',
      'UserCreated',
      'PhoneVerified',
      'AuthorizationCodeIssued',
      'SmsSent',
      'SmsDeliveryFailed',
      'SmsWithheld',
      'LoginFailedFromIp',
      'LoginSucceededFromIp',
      'IpBlockedForUser',
      'IpUnblockedForUser',
    ],
    tables: ['phone_index'],
    setup(db) {
      db.exec(`CREATE TABLE IF NOT EXISTS phone_index (phone_hash BLOB NOT NULL, last_position INTEGER NOT NULL, positions BLOB NOT NULL,
        PRIMARY KEY (phone_hash, last_position)) WITHOUT ROWID`);
    },
    writer(db) {
      const put = db.prepare('INSERT OR IGNORE INTO phone_index VALUES (?, ?, ?)');
      /** The batch's positions per phone hash, ascending (events arrive in position order). */
      const pending = new Map<string, number[]>();
      return {
        apply(event) {
          const hash = phoneHashOf(event);
          if (hash === undefined) return;
          const positions = pending.get(hash);
          if (positions) positions.push(event.globalPosition);
          else pending.set(hash, [event.globalPosition]);
        },
        flush() {
          for (const [hash, positions] of pending)
            put.run(Buffer.from(hash, 'hex'), positions[positions.length - 1], packPositions(positions));
          pending.clear();
        },
      };
    },
  };
}

function packPositions(positions: number[]): Buffer {
  return Buffer.from(Float64Array.from(positions).buffer);
}

function unpackPositions(blob: Buffer): Float64Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float64Array(copy.buffer);
}

/** Positions of the events about a phone hash, after `cursor`, oldest first. */
export function phonePositions(db: Database, phoneHash: string, cursor: number, limit: number): number[] {
  const rows = db
    .prepare(`SELECT positions FROM phone_index WHERE phone_hash = ? AND last_position > ? ORDER BY last_position`)
    .iterate(Buffer.from(phoneHash, 'hex'), cursor) as Iterable<{ positions: Buffer }>;
  const found: number[] = [];
  for (const row of rows) {
    for (const position of unpackPositions(row.positions)) {
      if (position > cursor) found.push(position);
      if (found.length === limit) return found;
    }
  }
  return found;
}

/**
 * Every (phone hash, position) pair, ordered: the index's content independent of how batches grouped
 * it into rows, so a rebuilt index can be compared with a live one.
 */
export function phoneIndexEntries(db: Database): { phoneHash: string; position: number }[] {
  const rows = db.prepare('SELECT phone_hash, positions FROM phone_index ORDER BY phone_hash, last_position').all() as {
    phone_hash: Buffer;
    positions: Buffer;
  }[];
  return rows.flatMap((row) =>
    Array.from(unpackPositions(row.positions), (position) => ({ phoneHash: row.phone_hash.toString('hex'), position })),
  );
}
