// Durable append throughput of the embedded store with 1, 10 and 100 concurrent writers, beside the
// raw rate of batched better-sqlite3 inserts of the same rows (same schema, same pragmas, the same
// ids, data and chained metadata the store writes: `storeRows.ts`) measured in the same run. The raw
// baseline writes 100 rows per transaction: the best a group of 100 writers could share. Group commit
// is what lets the store get near it. CPU per event is this process's own (the store, and for the
// store runs the writers' loop), the figure that noise on a shared machine disturbs least.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { migrate } from '../core/eventStore/sqliteMigrations.js';
import { fmt, median, printVerdict, rate, tempDir } from './benchSupport.js';
import { benchPostgres } from './postgresAppend.js';
import { benchRows, type BenchRow } from './storeRows.js';

const RAW_BATCH = 100;
const payload = { phoneHash: 'a'.repeat(64), codeHash: 'b'.repeat(64), expiresAt: '2026-11-22T10:00:00.000Z', attempt: 0 };
const metadata = { tenantId: 'acme', correlationId: randomUUID(), actor: 'bench', schemaVersion: 1 };

/** Events per second and this process's CPU per event. */
interface Measured {
  rate: number;
  cpuMicros: number;
}

function measured(count: number, started: number, cpu: NodeJS.CpuUsage): Measured {
  const used = process.cpuUsage(cpu);
  return { rate: rate(count, performance.now() - started), cpuMicros: (used.user + used.system) / count };
}

async function storeRate(writers: number, perWriter: number): Promise<Measured> {
  const store = SqliteEventStore.open(path.join(tempDir('store'), 'events.db'));
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let expected: number | 'no_stream' = 'no_stream';
      for (let i = 0; i < perWriter; i++) {
        const result = await store.appendToStream(`otp-bench-${w}`, [{ type: 'OtpIssued', data: payload, metadata }], {
          expectedRevision: expected,
        });
        expected = result.nextExpectedRevision;
      }
    }),
  );
  const result = measured(writers * perWriter, started, cpu);
  await store.close();
  return result;
}

function rawRate(rows: readonly BenchRow[]): Measured {
  const db = new Database(path.join(tempDir('raw'), 'events.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const writeBatch = db.transaction((from: number) => {
    for (let i = from; i < from + RAW_BATCH; i++) {
      const row = rows[i]!;
      insert.run(row.id, row.stream, row.revision, row.type, row.data, row.metadata, Date.now());
    }
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let from = 0; from < rows.length; from += RAW_BATCH) writeBatch(from);
  const result = measured(rows.length, started, cpu);
  db.close();
  return result;
}

const scale = Number(process.env.BENCH_SCALE ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const rows = benchRows(20_000 * scale, payload, metadata);
const plainRows = benchRows(20_000 * scale, payload, metadata, false);
// the disk's fsync time drifts from second to second here: interleave the baselines with the store
// runs (the 100-writer run between them), several rounds, and compare medians
const samples = { raw: [] as Measured[], plain: [] as Measured[], 1: [] as Measured[], 10: [] as Measured[], 100: [] as Measured[] };
for (let round = 0; round < rounds; round++) {
  samples.raw.push(rawRate(rows));
  samples[100].push(await storeRate(100, 200 * scale));
  samples.plain.push(rawRate(plainRows));
  for (const [writers, perWriter] of [
    [10, 200],
    [1, 300],
  ] as const)
    samples[writers].push(await storeRate(writers, perWriter * scale));
}
const m = (list: Measured[], key: keyof Measured): number => median(list.map((sample) => sample[key]));
const raw = m(samples.raw, 'rate');
console.log(
  `raw batched better-sqlite3 inserts of the rows the store writes (${RAW_BATCH}/txn, synchronous=FULL): ${fmt(raw)} events/s, ${fmt(m(samples.raw, 'cpuMicros'))} µs CPU/event (median of ${rounds})`,
);
console.log(
  `  the same without the chain in the metadata (this bench's baseline before 2026-12-02): ${fmt(m(samples.plain, 'rate'))} events/s`,
);
for (const writers of [1, 10, 100] as const) {
  const measuredRate = m(samples[writers], 'rate');
  console.log(
    `store appends, ${String(writers).padStart(3)} writers: ${fmt(measuredRate)} events/s  (${((measuredRate / raw) * 100).toFixed(1)}% of raw), ${fmt(m(samples[writers], 'cpuMicros'))} µs CPU/event`,
  );
}
const perRound = samples[100].map((sample, round) => sample.rate / samples.raw[round]!.rate);
console.log(
  `  100 writers / raw, round by round: ${perRound.map((ratio) => ratio.toFixed(2)).join(', ')}; against the rows without the chain: ${(m(samples[100], 'rate') / m(samples.plain, 'rate')).toFixed(3)}`,
);
printVerdict('store-append', m(samples[100], 'rate') / raw, 0.7);

// PostgreSQL, when a server is given (as for the tests): the same writers against raw batched INSERTs
const postgresUrl = process.env.OTPLEDGER_TEST_POSTGRES?.trim();
if (postgresUrl) await benchPostgres(postgresUrl, rounds, scale, payload, metadata);
else console.log('PostgreSQL half skipped: set OTPLEDGER_TEST_POSTGRES (bash .ci/postgres.sh start prints it)');
