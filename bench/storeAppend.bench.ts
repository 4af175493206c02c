// Durable append throughput of the embedded store with 1, 10 and 100 concurrent writers, beside the
// raw rate of batched better-sqlite3 inserts of the same events (same schema, same pragmas) measured
// in the same run. The raw baseline writes 100 rows per transaction: the best a group of 100 writers
// could share. Group commit is what lets the store get near it.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { migrate } from '../core/eventStore/sqliteMigrations.js';
import { fmt, median, printVerdict, rate, tempDir } from './benchSupport.js';
import { benchPostgres } from './postgresAppend.js';

const RAW_BATCH = 100;
const payload = { phoneHash: 'a'.repeat(64), codeHash: 'b'.repeat(64), expiresAt: '2026-11-22T10:00:00.000Z', attempt: 0 };
const metadata = { tenantId: 'acme', correlationId: randomUUID(), actor: 'bench', schemaVersion: 1 };

async function storeRate(writers: number, perWriter: number): Promise<number> {
  const store = SqliteEventStore.open(path.join(tempDir('store'), 'events.db'));
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
  const ms = performance.now() - started;
  await store.close();
  return rate(writers * perWriter, ms);
}

function rawRate(total: number): number {
  const db = new Database(path.join(tempDir('raw'), 'events.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const writeBatch = db.transaction((from: number) => {
    for (let i = from; i < from + RAW_BATCH; i++) {
      insert.run(randomUUID(), `otp-bench-${i % RAW_BATCH}`, Math.floor(i / RAW_BATCH), 'OtpIssued',
        JSON.stringify(payload), JSON.stringify(metadata), Date.now());
    }
  });
  const started = performance.now();
  for (let from = 0; from < total; from += RAW_BATCH) writeBatch(from);
  const ms = performance.now() - started;
  db.close();
  return rate(total, ms);
}

const scale = Number(process.env.BENCH_SCALE ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
// the disk's fsync time drifts from second to second here: interleave the baseline with the store
// runs, several rounds, and compare medians
const samples = { raw: [] as number[], 1: [] as number[], 10: [] as number[], 100: [] as number[] };
for (let round = 0; round < rounds; round++) {
  samples.raw.push(rawRate(20_000 * scale));
  for (const [writers, perWriter] of [[1, 300], [10, 200], [100, 200]] as const) samples[writers].push(await storeRate(writers, perWriter * scale));
}
const raw = median(samples.raw);
console.log(`raw batched better-sqlite3 inserts (${RAW_BATCH}/txn, synchronous=FULL): ${fmt(raw)} events/s (median of ${rounds})`);
for (const writers of [1, 10, 100] as const) {
  const measured = median(samples[writers]);
  console.log(`store appends, ${String(writers).padStart(3)} writers: ${fmt(measured)} events/s  (${((measured / raw) * 100).toFixed(1)}% of raw)`);
}
printVerdict('store-append', median(samples[100]) / raw, 0.7);

// PostgreSQL, when a server is given (as for the tests): the same writers against raw batched INSERTs
const postgresUrl = process.env.OTPLEDGER_TEST_POSTGRES?.trim();
if (postgresUrl) await benchPostgres(postgresUrl, rounds, scale, payload, metadata);
else console.log('PostgreSQL half skipped: set OTPLEDGER_TEST_POSTGRES (bash .ci/postgres.sh start prints it)');
