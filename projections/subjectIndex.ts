import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../core/eventStore/types.js';
import { isSealedValue } from '../core/privacy/sealedValue.js';
import { userSubject } from '../core/privacy/subjects.js';
import { phoneNumberHash } from '../core/users/phoneNumber.js';
import { sessionStreamId } from '../core/oidc/sessionEvents.js';
import type { Projection } from './projection.js';
import { parseOtpStream, userIndexPhoneHash, userIndexTenant } from './streamNames.js';

export interface SubjectLinks {
  /** Keyed hashes of the phones the user held, verified or tried. */
  phones: string[];
  /** Streams wholly about the user besides its own: sessions, identifier claims. */
  streams: string[];
  /**
   * Keyed hashes of its other identifiers (email, username): they name the OTP streams of the codes
   * asked for them before they were the user's (`OtpRequestedForUnknownIdentifier`).
   */
  identifiers: string[];
}

type Link = [subject: string, kind: 'phone' | 'stream' | 'identifier', value: string];

/**
 * Which pseudonymous ids belong to a user, for data-subject requests (export, erasure): the keyed
 * hashes of the phones in its user stream, in codes sent for it and authorization codes issued to it,
 * and its session and identifier-claim streams. Keyed hashes and ids only: nothing personal, so an
 * erasure leaves it in place (the audit still finds an erased user's events). Keyed by the user's
 * subject id, `user-<tenant>-<userId>`.
 */
export function subjectIndexProjection(hmacKey: Buffer): Projection {
  const linksOf = (event: RecordedEvent): Link[] => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    switch (event.type) {
      case 'UserCreated':
      case 'PhoneVerified': {
        // events written before personal data was sealed name the number itself
        const phone =
          text(data.phoneHash) ??
          (typeof data.phoneNumber === 'string' && !isSealedValue(data.phoneNumber)
            ? phoneNumberHash(hmacKey, data.phoneNumber)
            : undefined);
        return phone ? [[event.streamName, 'phone', phone]] : [];
      }
      case 'OtpIssued': {
        const otp = parseOtpStream(event.streamName);
        const userId = text(data.userId);
        return otp && userId ? [[userSubject(otp.tenantId, userId), 'phone', otp.phoneHash]] : [];
      }
      case 'AuthorizationCodeIssued': {
        const [tenantId, userId, phoneHash] = [text(data.tenantId), text(data.userId), text(data.phoneHash)];
        return tenantId && userId && phoneHash ? [[userSubject(tenantId, userId), 'phone', phoneHash]] : [];
      }
      case 'SessionStarted': {
        const [tenantId, userId, sid] = [text(data.tenantId), text(data.userId), text(data.sid)];
        return tenantId && userId && sid ? [[userSubject(tenantId, userId), 'stream', sessionStreamId(sid)]] : [];
      }
      case 'IdentifierClaimed': {
        const [userId, kind] = [text(data.userId), text(data.kind)];
        const tenantId = kind && userIndexTenant(event.streamName, kind);
        if (!userId || !tenantId) return [];
        const subject = userSubject(tenantId, userId);
        const phone = userIndexPhoneHash(event.streamName);
        const hash = phone ?? event.streamName.slice(-64);
        return [
          [subject, 'stream', event.streamName],
          ...(/^[0-9a-f]{64}$/.test(hash) ? [[subject, phone ? 'phone' : 'identifier', hash] as Link] : []),
        ];
      }
      default:
        return [];
    }
  };
  return {
    name: 'subject_index',
    // 2: links emails and usernames by keyed hash too
    version: 2,
    canHandle: ['UserCreated', 'PhoneVerified', 'OtpIssued', 'AuthorizationCodeIssued', 'SessionStarted', 'IdentifierClaimed'],
    tables: ['subject_links'],
    setup(db) {
      db.exec(
        'CREATE TABLE IF NOT EXISTS subject_links (subject TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (subject, kind, value)) WITHOUT ROWID',
      );
    },
    writer(db) {
      const put = db.prepare('INSERT OR IGNORE INTO subject_links VALUES (?, ?, ?)');
      // a user's phone comes back code after code: each link is written once per batch
      const pending = new Set<string>();
      return {
        apply(event) {
          for (const link of linksOf(event)) pending.add(link.join('\u0000'));
        },
        flush() {
          for (const link of pending) put.run(...(link.split('\u0000') as Link));
          pending.clear();
        },
      };
    },
  };
}

/** A user's links (by its subject id, `userSubject`). */
export function subjectLinks(db: Database, subject: string): SubjectLinks {
  const rows = db.prepare('SELECT kind, value FROM subject_links WHERE subject = ? ORDER BY kind, value').all(subject) as {
    kind: string;
    value: string;
  }[];
  return {
    phones: rows.filter((row) => row.kind === 'phone').map((row) => row.value),
    streams: rows.filter((row) => row.kind === 'stream').map((row) => row.value),
    identifiers: rows.filter((row) => row.kind === 'identifier').map((row) => row.value),
  };
}
