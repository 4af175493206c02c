// The PostgreSQL half of bench:store: durable appends through the store with 1, 10 and 100 concurrent
// writers, beside raw batched INSERTs of the same rows (100 per statement, each statement its own
// transaction and WAL flush: the best a group of 100 writers could share), in interleaved rounds.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from '../core/eventStore/postgresEventStore.js';
import { fmt, median, printVerdict, rate } from './benchSupport.js';

const RAW_BATCH = 100;

type Row = { id: string; stream: string; revision: number; type: string; data: string; metadata: string; recorded_at: string };

function schemaUrl(url: string, schema: string): string {
  const withSchema = new URL(url);
  withSchema.searchParams.set('schema', schema);
  return withSchema.toString();
}

async function storeRate(url: string, writers: number, perWriter: number, payload: unknown, metadata: Record<string, unknown>): Promise<number> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = await PostgresEventStore.open(schemaUrl(url, schema));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let expected: number | 'no_stream' = 'no_stream';
      for (let i = 0; i < perWriter; i++) {
        const result = await store.appendToStream(`otp-bench-${w}`, [{ type: 'OtpIssued', data: payload, metadata }], { expectedRevision: expected });
        expected = result.nextExpectedRevision;
      }
    }),
  );
  const ms = performance.now() - started;
  await store.close();
  await dropSchema(url, schema);
  return rate(writers * perWriter, ms);
}

/** The same table (the store's schema), the same rows, as plain multi-row INSERTs with nothing else. */
async function rawRate(url: string, total: number, payload: unknown, metadata: Record<string, unknown>): Promise<number> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await (await PostgresEventStore.open(schemaUrl(url, schema))).close(); // creates the table
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insert = `INSERT INTO ${schema}.events (position, id, stream, revision, type, data, metadata, recorded_at)
    SELECT $2::bigint + r.ord, r.id, r.stream, r.revision, r.type, r.data::json, r.metadata::json, r.recorded_at
    FROM json_to_recordset($1::json) AS r(ord bigint, id uuid, stream text, revision integer, type text, data text, metadata text, recorded_at timestamptz)`;
  const data = JSON.stringify(payload);
  const meta = JSON.stringify(metadata);
  const started = performance.now();
  for (let from = 0; from < total; from += RAW_BATCH) {
    const rows: (Row & { ord: number })[] = [];
    for (let i = from; i < from + RAW_BATCH; i++) {
      rows.push({ ord: i - from + 1, id: randomUUID(), stream: `otp-bench-${i % RAW_BATCH}`, revision: Math.floor(i / RAW_BATCH), type: 'OtpIssued', data, metadata: meta, recorded_at: new Date().toISOString() });
    }
    await client.query(insert, [JSON.stringify(rows), from]);
  }
  const ms = performance.now() - started;
  await client.end();
  await dropSchema(url, schema);
  return rate(total, ms);
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
}

export async function benchPostgres(url: string, rounds: number, scale: number, payload: unknown, metadata: Record<string, unknown>): Promise<void> {
  const samples = { raw: [] as number[], 1: [] as number[], 10: [] as number[], 100: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    samples.raw.push(await rawRate(url, 20_000 * scale, payload, metadata));
    for (const [writers, perWriter] of [[1, 300], [10, 200], [100, 200]] as const) samples[writers].push(await storeRate(url, writers, perWriter * scale, payload, metadata));
  }
  const raw = median(samples.raw);
  console.log(`raw batched PostgreSQL INSERTs (${RAW_BATCH}/statement, synchronous_commit=on): ${fmt(raw)} events/s (median of ${rounds})`);
  for (const writers of [1, 10, 100] as const) {
    const measured = median(samples[writers]);
    console.log(`PostgreSQL store appends, ${String(writers).padStart(3)} writers: ${fmt(measured)} events/s  (${((measured / raw) * 100).toFixed(1)}% of raw)`);
  }
  printVerdict('store-append-postgres', median(samples[100]) / raw, 0.6);
}
