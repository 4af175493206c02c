import type { Database } from 'better-sqlite3';
import type { OtpEvent } from '../core/otp/otpEvents.js';
import type { Projection } from './projection.js';
import { parseOtpStream } from './streamNames.js';

export interface Lockout {
  tenantId: string;
  purpose: string;
  phoneHash: string;
  lockedAt: string;
  lockedUntil: string;
  failedAttempts: number;
}

/**
 * Who is locked out until when, by phone hash. A lockout lifts by itself when its time passes, so the
 * table keeps the latest one per OTP stream and queries compare with "now".
 */
export const lockoutsProjection: Projection<Extract<OtpEvent, { type: 'UserLockedOut' }>> = {
  name: 'lockouts',
  version: 1,
  canHandle: ['UserLockedOut'],
  tables: ['lockouts'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS lockouts (
      stream TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, purpose TEXT NOT NULL, phone_hash TEXT NOT NULL,
      locked_at TEXT NOT NULL, locked_until TEXT NOT NULL, failed_attempts INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS lockouts_tenant ON lockouts (tenant_id, locked_until);`);
  },
  writer(db) {
    const put = db.prepare(`INSERT OR REPLACE INTO lockouts VALUES (?, ?, ?, ?, ?, ?, ?)`);
    return {
      apply(event) {
        const stream = parseOtpStream(event.streamName);
        if (!stream) return;
        const { until, at, failedAttempts } = event.data;
        put.run(event.streamName, stream.tenantId, stream.purpose, stream.phoneHash, at, until, failedAttempts);
      },
    };
  },
};

type LockoutRow = {
  tenant_id: string;
  purpose: string;
  phone_hash: string;
  locked_at: string;
  locked_until: string;
  failed_attempts: number;
};
const toLockout = (row: LockoutRow): Lockout => ({
  tenantId: row.tenant_id,
  purpose: row.purpose,
  phoneHash: row.phone_hash,
  lockedAt: row.locked_at,
  lockedUntil: row.locked_until,
  failedAttempts: row.failed_attempts,
});

/** Lockouts still in force at `now`. */
export function activeLockouts(db: Database, tenantId: string, now: Date): Lockout[] {
  const rows = db
    .prepare('SELECT * FROM lockouts WHERE tenant_id = ? AND locked_until > ? ORDER BY locked_until')
    .all(tenantId, now.toISOString()) as LockoutRow[];
  return rows.map(toLockout);
}
