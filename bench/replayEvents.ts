// Generates a realistic otpledger event log straight into a SQLite event store file: OTP cycles
// (issued, SMS sent, verified or failed, sometimes a lockout), sessions and users, each stream
// hash-chained exactly as the store writes it. Direct inserts, because a million appends through
// the store would measure the store, not the replay.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { chainMetadata } from '../core/eventStore/hashChain.js';
import { migrate } from '../core/eventStore/sqliteMigrations.js';

const TENANTS = 10;
const APPS_PER_TENANT = 5;
const PHONES = 50_000;

export function generateEvents(file: string, total: number): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  migrate(db);
  const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const heads = new Map<string, { revision: number; hash: string | null }>();
  let written = 0;
  let now = Date.parse('2026-01-01T00:00:00Z');
  const append = (stream: string, type: string, data: unknown, tenantId: string, actor: string) => {
    const head = heads.get(stream) ?? { revision: -1, hash: null };
    const { metadata, hash } = chainMetadata(head.hash, type, data, { tenantId, actor, correlationId: randomUUID() });
    insert.run(randomUUID(), stream, head.revision + 1, type, JSON.stringify(data), JSON.stringify(metadata), now);
    heads.set(stream, { revision: head.revision + 1, hash });
    written += 1;
  };
  const phoneHash = (n: number) => n.toString(16).padStart(64, '0');
  const writeAll = db.transaction(() => {
    for (let cycle = 0; written < total; cycle++) {
      now += 1000;
      const tenantId = `tenant-${cycle % TENANTS}`;
      const clientId = `${tenantId}-app-${cycle % APPS_PER_TENANT}`;
      const phone = phoneHash(cycle % PHONES);
      const at = new Date(now).toISOString();
      const otpStream = `otp-${tenantId}-login-${phone}`;
      if (cycle < PHONES) {
        const userId = randomUUID();
        append(`useridx-${tenantId}-phone_number-${phone}`, 'IdentifierClaimed', { userId, kind: 'phone_number' }, tenantId, clientId);
        append(
          `user-${tenantId}-${userId}`,
          'UserCreated',
          { userId, tenantId, phoneNumber: `+1512${String(cycle).padStart(7, '0')}`, clientId },
          tenantId,
          clientId,
        );
      }
      const otpId = randomUUID();
      append(
        otpStream,
        'OtpIssued',
        {
          otpId,
          codeHash: 'c'.repeat(64),
          purpose: 'login',
          clientId,
          phoneHash: phone,
          countryCallingCode: cycle % 3 ? '1' : '44',
          issuedAt: at,
          expiresAt: new Date(now + 300_000).toISOString(),
        },
        tenantId,
        clientId,
      );
      append(
        otpStream,
        'SmsSent',
        {
          tenantId,
          clientId,
          otpId,
          provider: 'Default',
          attempt: 1,
          fallbackIndex: 0,
          countryCallingCode: '1',
          bodyLength: 40,
          sentAt: at,
        },
        tenantId,
        clientId,
      );
      if (cycle % 10 < 7) {
        append(otpStream, 'OtpVerified', { otpId, at }, tenantId, clientId);
        const sid = randomUUID();
        append(`session-${sid}`, 'SessionStarted', { sid, tenantId, clientId, userId: 'u', amr: ['otp'] }, tenantId, clientId);
      } else {
        append(otpStream, 'OtpFailed', { otpId, reason: 'mismatch', failedAttempts: 1, at }, tenantId, clientId);
        if (cycle % 50 === 9)
          append(otpStream, 'UserLockedOut', { until: new Date(now + 900_000).toISOString(), failedAttempts: 3, at }, tenantId, clientId);
      }
    }
  });
  writeAll();
  db.close();
  return written;
}
