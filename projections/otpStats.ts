import type { Database, Statement } from 'better-sqlite3';
import type { OtpEvent } from '../core/otp/otpEvents.js';
import { REFUSAL_REASONS, type RefusalReason } from '../core/protection/smsSendRefused.js';
import type { SmsDeliveryEvent } from '../core/sms/smsDeliveryEvents.js';
import { DEFAULT_PROVIDER, type TenantSmsEvent } from '../core/sms/tenantSmsEvents.js';
import type { Projection } from './projection.js';
import { dayOf, parseOtpStream, tenantOf } from './streamNames.js';

const refusalCounters = REFUSAL_REASONS.map((reason) => `refused_${reason}` as const);
const counters = ['issued', 'verified', 'failed', 'lockouts', 'sms_sent', 'sms_failed', ...refusalCounters] as const;
type Counter = (typeof counters)[number];

/** Who an OTP stream's latest code was for: the later events of the stream count against it. */
interface CodeContext {
  clientId: string;
  countryCode: string;
  provider: string;
}

const UNKNOWN = 'unknown';
/** Streams whose context stays in memory between batches; beyond it the table answers. */
const MAX_CACHED_STREAMS = 200_000;

/**
 * OTP activity per tenant, application, provider, country calling code and UTC day: codes issued,
 * verified, failed, lockouts, SMS sent and failed, and sends refused or held back by SMS protection per
 * reason (`SmsSendRefused` in `enforce` mode; what `monitor` only flagged is not a refusal). Counts are tallied
 * in memory during a batch and added to the table once per key at its end (inside the batch's transaction), which keeps a replay of
 * millions of events close to the raw read rate. The day is the domain time of the event (`at`,
 * `issuedAt`, `sentAt`), else when it was recorded. OTP events count against the tenant's primary
 * provider when the code was issued; SMS events against the provider that actually sent (a fallback
 * shows up as its own row), and against client `unknown` when the dispatch did not name one.
 */
type OtpStatsEvent =
  | Extract<OtpEvent, { type: 'OtpIssued' | 'OtpVerified' | 'OtpFailed' | 'UserLockedOut' | 'SmsSendRefused' }>
  | Extract<SmsDeliveryEvent, { type: 'SmsSent' | 'SmsDeliveryFailed' }>
  | Extract<TenantSmsEvent, { type: 'ProviderConfigured' }>;

export const otpStatsProjection: Projection<OtpStatsEvent> = {
  name: 'otp_stats',
  version: 2,
  canHandle: [
    'OtpIssued',
    'OtpVerified',
    'OtpFailed',
    'UserLockedOut',
    'SmsSent',
    'SmsDeliveryFailed',
    'SmsSendRefused',
    'ProviderConfigured',
  ],
  tables: ['otp_stats', 'otp_stats_streams', 'otp_stats_providers'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS otp_stats (
      tenant_id TEXT NOT NULL, client_id TEXT NOT NULL, provider TEXT NOT NULL, country_code TEXT NOT NULL, day TEXT NOT NULL,
      ${counters.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(', ')},
      PRIMARY KEY (tenant_id, day, client_id, provider, country_code)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS otp_stats_streams (stream TEXT PRIMARY KEY, client_id TEXT NOT NULL, country_code TEXT NOT NULL, provider TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS otp_stats_providers (tenant_id TEXT PRIMARY KEY, provider TEXT NOT NULL) WITHOUT ROWID;`);
  },
  writer(db) {
    const add = db.prepare(`INSERT INTO otp_stats (tenant_id, client_id, provider, country_code, day, ${counters.join(', ')})
      VALUES (?, ?, ?, ?, ?, ${counters.map(() => '?').join(', ')})
      ON CONFLICT DO UPDATE SET ${counters.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`);
    const getStream: Statement<[string], { client_id: string; country_code: string; provider: string }> = db.prepare(
      'SELECT client_id, country_code, provider FROM otp_stats_streams WHERE stream = ?',
    );
    const putStream = db.prepare('INSERT OR REPLACE INTO otp_stats_streams VALUES (?, ?, ?, ?)');
    const getProvider: Statement<[string], { provider: string }> = db.prepare(
      'SELECT provider FROM otp_stats_providers WHERE tenant_id = ?',
    );
    const putProvider = db.prepare('INSERT OR REPLACE INTO otp_stats_providers VALUES (?, ?)');

    const tallies = new Map<string, { key: string[]; counts: number[] }>();
    const streams = new Map<string, CodeContext>();
    const dirtyStreams = new Map<string, CodeContext>();
    const providers = new Map<string, string>();

    const providerOf = (tenantId: string) => {
      let provider = providers.get(tenantId);
      if (provider === undefined) providers.set(tenantId, (provider = getProvider.get(tenantId)?.provider ?? DEFAULT_PROVIDER));
      return provider;
    };
    const contextOf = (stream: string): CodeContext | undefined => {
      let context = streams.get(stream) ?? dirtyStreams.get(stream);
      if (!context) {
        const row = getStream.get(stream);
        if (row) streams.set(stream, (context = { clientId: row.client_id, countryCode: row.country_code, provider: row.provider }));
      }
      return context;
    };
    const count = (tenantId: string, context: CodeContext, day: string, counter: Counter) => {
      const id = `${tenantId}\u0000${context.clientId}\u0000${context.provider}\u0000${context.countryCode}\u0000${day}`;
      let tally = tallies.get(id);
      if (!tally)
        tallies.set(
          id,
          (tally = { key: [tenantId, context.clientId, context.provider, context.countryCode, day], counts: counters.map(() => 0) }),
        );
      tally.counts[counters.indexOf(counter)]! += 1;
    };

    return {
      apply(event) {
        switch (event.type) {
          case 'ProviderConfigured': {
            const tenantId = tenantOf(event.streamName, 'tenantsms') ?? event.metadata.tenantId;
            if (!tenantId) return;
            // a stored event may lack the name
            const provider = typeof event.data.provider === 'string' ? event.data.provider : UNKNOWN;
            providers.set(tenantId, provider);
            putProvider.run(tenantId, provider);
            return;
          }
          case 'SmsSent':
          case 'SmsDeliveryFailed': {
            // in the code's OTP stream; before, in the tenant-wide `smsdelivery-<tenant>`
            const tenantId =
              parseOtpStream(event.streamName)?.tenantId ?? tenantOf(event.streamName, 'smsdelivery') ?? event.metadata.tenantId;
            if (!tenantId) return;
            const { data } = event;
            // events recorded by older versions may lack the client, country or provider
            const context = {
              clientId: typeof data.clientId === 'string' ? data.clientId : UNKNOWN,
              countryCode: typeof data.countryCallingCode === 'string' ? data.countryCallingCode : UNKNOWN,
              provider: typeof data.provider === 'string' ? data.provider : providerOf(tenantId),
            };
            const at = event.type === 'SmsSent' ? event.data.sentAt : event.data.failedAt;
            count(tenantId, context, dayOf(at, event.recordedAt), event.type === 'SmsSent' ? 'sms_sent' : 'sms_failed');
            return;
          }
          default:
            break;
        }
        const stream = parseOtpStream(event.streamName);
        if (!stream) return;
        switch (event.type) {
          case 'SmsSendRefused': {
            const refusal = event.data;
            if (refusal.mode !== 'enforce') return;
            const context = {
              clientId: refusal.clientId ?? UNKNOWN,
              countryCode: refusal.countryCallingCode ?? UNKNOWN,
              provider: contextOf(event.streamName)?.provider ?? providerOf(stream.tenantId),
            };
            count(stream.tenantId, context, dayOf(refusal.at, event.recordedAt), `refused_${refusal.reason}`);
            return;
          }
          case 'OtpIssued': {
            const issued = event.data;
            const context = {
              clientId: issued.clientId,
              countryCode: issued.countryCallingCode ?? UNKNOWN,
              provider: providerOf(stream.tenantId),
            };
            const known = streams.get(event.streamName);
            if (
              !known ||
              known.clientId !== context.clientId ||
              known.countryCode !== context.countryCode ||
              known.provider !== context.provider
            ) {
              if (streams.size >= MAX_CACHED_STREAMS) streams.clear();
              streams.set(event.streamName, context);
              dirtyStreams.set(event.streamName, context);
            }
            count(stream.tenantId, context, dayOf(issued.issuedAt, event.recordedAt), 'issued');
            return;
          }
          case 'OtpVerified':
          case 'OtpFailed':
          case 'UserLockedOut': {
            const counter: Counter = event.type === 'OtpVerified' ? 'verified' : event.type === 'OtpFailed' ? 'failed' : 'lockouts';
            const context = contextOf(event.streamName) ?? {
              clientId: UNKNOWN,
              countryCode: UNKNOWN,
              provider: providerOf(stream.tenantId),
            };
            count(stream.tenantId, context, dayOf(event.data.at, event.recordedAt), counter);
            return;
          }
          default:
            return;
        }
      },
      flush() {
        for (const { key, counts } of tallies.values()) add.run(...key, ...counts);
        tallies.clear();
        for (const [stream, context] of dirtyStreams) putStream.run(stream, context.clientId, context.countryCode, context.provider);
        dirtyStreams.clear();
      },
    };
  },
};

export interface OtpStatsRow {
  tenantId: string;
  clientId: string;
  provider: string;
  countryCode: string;
  day: string;
  issued: number;
  verified: number;
  failed: number;
  lockouts: number;
  smsSent: number;
  smsFailed: number;
  /** Sends refused or held back by SMS protection, per reason. */
  refused: Record<RefusalReason, number>;
  /** verified / issued, 0 when nothing was issued. */
  conversionRate: number;
}

/** A tenant's statistics between two days (inclusive, `YYYY-MM-DD`). */
export function otpStats(db: Database, tenantId: string, fromDay = '0000-00-00', toDay = '9999-99-99'): OtpStatsRow[] {
  const rows = db
    .prepare(`SELECT * FROM otp_stats WHERE tenant_id = ? AND day BETWEEN ? AND ? ORDER BY day, client_id, provider, country_code`)
    .all(tenantId, fromDay, toDay) as Record<string, string & number>[];
  return rows.map((row) => ({
    tenantId: row.tenant_id!,
    clientId: row.client_id!,
    provider: row.provider!,
    countryCode: row.country_code!,
    day: row.day!,
    issued: row.issued!,
    verified: row.verified!,
    failed: row.failed!,
    lockouts: row.lockouts!,
    smsSent: row.sms_sent!,
    smsFailed: row.sms_failed!,
    refused: Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, Number(row[`refused_${reason}`])])) as Record<
      RefusalReason,
      number
    >,
    conversionRate: row.issued ? Math.round((row.verified! / row.issued) * 10_000) / 10_000 : 0,
  }));
}
