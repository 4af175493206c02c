import type { Database, Statement } from 'better-sqlite3';
import type { OtpEvent } from '../core/otp/otpEvents.js';
import type { PrefixEvent } from '../core/protection/prefixEvents.js';
import { metered } from '../core/protection/screeningCost.js';
import type { ProjectedEvent, Projection } from './projection.js';
import { parseOtpStream } from './streamNames.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Positions kept per range and hour as evidence for a quarantine. */
const EVIDENCE_PER_HOUR = 50;

/**
 * What SMS protection counts across processes, a moment behind the log: codes sent per tenant and minute (the
 * tenant's budget), codes sent and verified per tenant, number range (prefix) and hour, with the positions of
 * the sends (the pumping guard and its evidence), and the ranges quarantined. A code held back silently is a
 * send to its range (the traffic goes on) but costs the tenant nothing; an unknown identifier's code is neither.
 * Counts are tallied per batch and written once per key.
 */
type Handled = Extract<OtpEvent, { type: 'OtpIssued' | 'OtpVerified' | 'SmsSendRefused' }> | PrefixEvent;

export const smsProtectionProjection: Projection<Handled> = {
  name: 'sms_protection',
  version: 1,
  canHandle: ['OtpIssued', 'OtpVerified', 'SmsSendRefused', 'PrefixQuarantined', 'PrefixReleased'],
  tables: ['protection_tenant_minutes', 'protection_prefix_hours', 'protection_streams', 'protection_quarantines'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS protection_tenant_minutes (tenant_id TEXT NOT NULL, minute INTEGER NOT NULL, sends INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, minute)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS protection_prefix_hours (tenant_id TEXT NOT NULL, prefix TEXT NOT NULL, hour INTEGER NOT NULL,
        sent INTEGER NOT NULL, verified INTEGER NOT NULL, evidence TEXT NOT NULL, PRIMARY KEY (tenant_id, prefix, hour)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS protection_streams (stream TEXT PRIMARY KEY, prefix TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS protection_quarantines (tenant_id TEXT NOT NULL, prefix TEXT NOT NULL, mode TEXT NOT NULL,
        quarantined_at TEXT NOT NULL, until TEXT NOT NULL, released_at TEXT, PRIMARY KEY (tenant_id, prefix)) WITHOUT ROWID;`);
  },
  writer(db) {
    const addMinute = db.prepare(`INSERT INTO protection_tenant_minutes VALUES (?, ?, ?)
      ON CONFLICT DO UPDATE SET sends = sends + excluded.sends`);
    const getHour: Statement<[string, string, number], { sent: number; verified: number; evidence: string }> = db.prepare(
      'SELECT sent, verified, evidence FROM protection_prefix_hours WHERE tenant_id = ? AND prefix = ? AND hour = ?',
    );
    const putHour = db.prepare('INSERT OR REPLACE INTO protection_prefix_hours VALUES (?, ?, ?, ?, ?, ?)');
    const getStream: Statement<[string], { prefix: string }> = db.prepare('SELECT prefix FROM protection_streams WHERE stream = ?');
    const putStream = db.prepare('INSERT OR REPLACE INTO protection_streams VALUES (?, ?)');
    const putQuarantine = db.prepare('INSERT OR REPLACE INTO protection_quarantines VALUES (?, ?, ?, ?, ?, NULL)');
    const release = db.prepare(
      'UPDATE protection_quarantines SET released_at = ? WHERE tenant_id = ? AND prefix = ? AND quarantined_at = ?',
    );

    const minutes = new Map<string, { tenantId: string; minute: number; sends: number }>();
    const hours = new Map<string, { tenantId: string; prefix: string; hour: number; sent: number; verified: number; evidence: number[] }>();
    const streams = new Map<string, string>();
    const minute = (tenantId: string, at: number, delta: number) => {
      const key = `${tenantId}\0${Math.floor(at / MINUTE)}`;
      const tally = minutes.get(key) ?? { tenantId, minute: Math.floor(at / MINUTE), sends: 0 };
      tally.sends += delta;
      minutes.set(key, tally);
    };
    const hour = (tenantId: string, prefix: string, at: number) => {
      const key = `${tenantId}\0${prefix}\0${Math.floor(at / HOUR)}`;
      let tally = hours.get(key);
      if (!tally) {
        const row = getHour.get(tenantId, prefix, Math.floor(at / HOUR));
        tally = {
          tenantId,
          prefix,
          hour: Math.floor(at / HOUR),
          sent: row?.sent ?? 0,
          verified: row?.verified ?? 0,
          evidence: row ? (JSON.parse(row.evidence) as number[]) : [],
        };
        hours.set(key, tally);
      }
      return tally;
    };
    const prefixOf = (stream: string) => streams.get(stream) ?? getStream.get(stream)?.prefix;

    const apply = (event: ProjectedEvent<Handled>) => {
      switch (event.type) {
        case 'OtpIssued': {
          const otp = event.data;
          const tenantId = parseOtpStream(event.streamName)?.tenantId;
          if (!tenantId) return;
          const at = Date.parse(otp.issuedAt);
          minute(tenantId, at, 1);
          if (otp.prefix === undefined) return;
          const tally = hour(tenantId, otp.prefix, at);
          tally.sent += 1;
          if (tally.evidence.length < EVIDENCE_PER_HOUR) tally.evidence.push(event.globalPosition);
          if (prefixOf(event.streamName) !== otp.prefix) streams.set(event.streamName, otp.prefix);
          return;
        }
        case 'OtpVerified': {
          const tenantId = parseOtpStream(event.streamName)?.tenantId;
          const prefix = prefixOf(event.streamName);
          if (tenantId && prefix !== undefined) hour(tenantId, prefix, Date.parse(event.data.at)).verified += 1;
          return;
        }
        case 'SmsSendRefused': {
          // a silent hold-back issued a code that was never sent: it costs the tenant nothing
          const refusal = event.data;
          const tenantId = parseOtpStream(event.streamName)?.tenantId;
          if (tenantId && refusal.mode === 'enforce' && refusal.silent) minute(tenantId, Date.parse(refusal.at), -1);
          return;
        }
        case 'PrefixQuarantined': {
          const q = event.data;
          putQuarantine.run(q.tenantId, q.prefix, q.mode, q.quarantinedAt, q.until);
          return;
        }
        case 'PrefixReleased': {
          const r = event.data;
          release.run(r.at, r.tenantId, r.prefix, r.quarantinedAt);
          return;
        }
        default: {
          const unreachable: never = event;
          return unreachable;
        }
      }
    };
    const flush = () => {
      for (const { tenantId, minute: at, sends } of minutes.values()) addMinute.run(tenantId, at, sends);
      minutes.clear();
      for (const t of hours.values()) putHour.run(t.tenantId, t.prefix, t.hour, t.sent, t.verified, JSON.stringify(t.evidence));
      hours.clear();
      for (const [stream, prefix] of streams) putStream.run(stream, prefix);
      streams.clear();
    };
    // its work is screening's cost: metered for the benchmark
    return { apply: (event) => metered(() => apply(event)), flush: () => metered(flush) };
  },
};

/** The queries below run for every send: each is prepared once per database. */
const statements = new WeakMap<Database, Map<string, Statement>>();
function prepared(db: Database, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/** Codes sent by a tenant since `fromMinute` (epoch minutes, inclusive), as projected, and the oldest minute with any. */
export function tenantSends(db: Database, tenantId: string, fromMinute: number): { sends: number; oldestMinute: number | undefined } {
  const row = prepared(
    db,
    'SELECT SUM(sends) AS sends, MIN(CASE WHEN sends > 0 THEN minute END) AS oldest FROM protection_tenant_minutes WHERE tenant_id = ? AND minute >= ?',
  ).get(tenantId, fromMinute) as { sends: number | null; oldest: number | null };
  return { sends: row.sends ?? 0, oldestMinute: row.oldest ?? undefined };
}

export interface PrefixActivity {
  /** Since `fromHour` (epoch hours, inclusive). */
  sent: number;
  verified: number;
  evidence: number[];
  /** The most codes verified in one UTC day of the 14 days before. */
  busiestVerifiedDay: number;
}

export function prefixActivity(db: Database, tenantId: string, prefix: string, fromHour: number, now: number): PrefixActivity {
  const recent = prepared(
    db,
    'SELECT sent, verified, evidence FROM protection_prefix_hours WHERE tenant_id = ? AND prefix = ? AND hour >= ?',
  ).all(tenantId, prefix, fromHour) as { sent: number; verified: number; evidence: string }[];
  const busiest = prepared(
    db,
    `SELECT MAX(v) AS v FROM (SELECT SUM(verified) AS v FROM protection_prefix_hours
      WHERE tenant_id = ? AND prefix = ? AND hour >= ? GROUP BY hour / 24)`,
  ).get(tenantId, prefix, Math.floor(now / HOUR) - 14 * 24) as { v: number | null };
  return {
    sent: recent.reduce((sum, row) => sum + row.sent, 0),
    verified: recent.reduce((sum, row) => sum + row.verified, 0),
    evidence: recent.flatMap((row) => JSON.parse(row.evidence) as number[]).slice(0, 50),
    busiestVerifiedDay: busiest.v ?? 0,
  };
}

export interface QuarantineRow {
  mode: 'enforce' | 'monitor';
  quarantinedAt: string;
  until: string;
  releasedAt: string | null;
}

export function quarantineOf(db: Database, tenantId: string, prefix: string): QuarantineRow | undefined {
  const row = prepared(
    db,
    'SELECT mode, quarantined_at, until, released_at FROM protection_quarantines WHERE tenant_id = ? AND prefix = ?',
  ).get(tenantId, prefix) as { mode: 'enforce' | 'monitor'; quarantined_at: string; until: string; released_at: string | null } | undefined;
  return row && { mode: row.mode, quarantinedAt: row.quarantined_at, until: row.until, releasedAt: row.released_at };
}

/** A tenant's quarantines, newest first: for `GET /admin/v1/sms-protection/quarantines`. */
export function quarantines(db: Database, tenantId: string): (QuarantineRow & { prefix: string })[] {
  const rows = db
    .prepare(
      'SELECT prefix, mode, quarantined_at, until, released_at FROM protection_quarantines WHERE tenant_id = ? ORDER BY quarantined_at DESC',
    )
    .all(tenantId) as { prefix: string; mode: 'enforce' | 'monitor'; quarantined_at: string; until: string; released_at: string | null }[];
  return rows.map((row) => ({
    prefix: row.prefix,
    mode: row.mode,
    quarantinedAt: row.quarantined_at,
    until: row.until,
    releasedAt: row.released_at,
  }));
}
