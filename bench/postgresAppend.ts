// The PostgreSQL half of bench:store: durable appends through the store with 1, 10 and 100 concurrent
// writers, beside raw batched INSERTs of the same rows (`storeRows.ts`; 100 per statement, each
// statement its own transaction and WAL flush: the best a group of 100 writers could share), in
// interleaved rounds. CPU per event: this process's and the PostgreSQL server's (all its processes).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from '../core/eventStore/postgresEventStore.js';
import { fmt, median, printVerdict, rate } from './benchSupport.js';
import { postgresCpuMicros, postmasterPid } from './postgresCpu.js';
import { benchRows, type BenchRow } from './storeRows.js';

const RAW_BATCH = 100;

interface Measured {
  rate: number;
  /** CPU per event of this process and of the PostgreSQL server, in microseconds. */
  nodeMicros: number;
  postgresMicros: number;
}

function schemaUrl(url: string, schema: string): string {
  const withSchema = new URL(url);
  withSchema.searchParams.set('schema', schema);
  return withSchema.toString();
}

/** Runs `work` and measures it; the PostgreSQL reading is taken before connections close. */
async function measure(postmaster: number, count: number, work: () => Promise<void>): Promise<Measured> {
  const pgBefore = postgresCpuMicros(postmaster);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    rate: rate(count, elapsed),
    nodeMicros: (used.user + used.system) / count,
    postgresMicros: (postgresCpuMicros(postmaster) - pgBefore) / count,
  };
}

async function storeRate(
  url: string,
  postmaster: number,
  writers: number,
  perWriter: number,
  payload: unknown,
  metadata: Record<string, unknown>,
): Promise<Measured> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = await PostgresEventStore.open(schemaUrl(url, schema));
  const result = await measure(postmaster, writers * perWriter, async () => {
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
  });
  await store.close();
  await dropSchema(url, schema);
  return result;
}

/** The same table (the store's schema), the same rows, as plain multi-row INSERTs with nothing else. */
async function rawRate(url: string, postmaster: number, rows: readonly BenchRow[]): Promise<Measured> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await (await PostgresEventStore.open(schemaUrl(url, schema))).close(); // creates the table
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insert = `INSERT INTO ${schema}.events (position, id, stream, revision, type, data, metadata, recorded_at)
    SELECT $2::bigint + r.ord, r.id, r.stream, r.revision, r.type, r.data::json, r.metadata::json, r.recorded_at
    FROM json_to_recordset($1::json) AS r(ord bigint, id uuid, stream text, revision integer, type text, data text, metadata text, recorded_at timestamptz)`;
  const result = await measure(postmaster, rows.length, async () => {
    for (let from = 0; from < rows.length; from += RAW_BATCH) {
      const batch = rows
        .slice(from, from + RAW_BATCH)
        .map((row, index) => ({ ord: index + 1, ...row, recorded_at: new Date().toISOString() }));
      await client.query(insert, [JSON.stringify(batch), from]);
    }
  });
  await client.end();
  await dropSchema(url, schema);
  return result;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
}

export async function benchPostgres(
  url: string,
  rounds: number,
  scale: number,
  payload: unknown,
  metadata: Record<string, unknown>,
): Promise<void> {
  const postmaster = await postmasterPid(url);
  const rows = benchRows(20_000 * scale, payload, metadata);
  const plainRows = benchRows(20_000 * scale, payload, metadata, false);
  const samples = { raw: [] as Measured[], plain: [] as Measured[], 1: [] as Measured[], 10: [] as Measured[], 100: [] as Measured[] };
  for (let round = 0; round < rounds; round++) {
    samples.raw.push(await rawRate(url, postmaster, rows));
    samples[100].push(await storeRate(url, postmaster, 100, 200 * scale, payload, metadata));
    samples.plain.push(await rawRate(url, postmaster, plainRows));
    for (const [writers, perWriter] of [
      [10, 200],
      [1, 300],
    ] as const)
      samples[writers].push(await storeRate(url, postmaster, writers, perWriter * scale, payload, metadata));
  }
  const m = (list: Measured[], key: keyof Measured): number => median(list.map((sample) => sample[key]));
  const cpu = (list: Measured[]): string =>
    `CPU/event: this process ${fmt(m(list, 'nodeMicros'))} µs, PostgreSQL ${fmt(m(list, 'postgresMicros'))} µs`;
  const raw = m(samples.raw, 'rate');
  console.log(
    `raw batched PostgreSQL INSERTs of the rows the store writes (${RAW_BATCH}/statement, synchronous_commit=on): ${fmt(raw)} events/s, ${cpu(samples.raw)} (median of ${rounds})`,
  );
  console.log(
    `  the same without the chain in the metadata (this bench's baseline before 2026-12-02): ${fmt(m(samples.plain, 'rate'))} events/s`,
  );
  for (const writers of [1, 10, 100] as const) {
    const measuredRate = m(samples[writers], 'rate');
    console.log(
      `PostgreSQL store appends, ${String(writers).padStart(3)} writers: ${fmt(measuredRate)} events/s  (${((measuredRate / raw) * 100).toFixed(1)}% of raw), ${cpu(samples[writers])}`,
    );
  }
  const perRound = samples[100].map((sample, round) => sample.rate / samples.raw[round]!.rate);
  console.log(
    `  100 writers / raw, round by round: ${perRound.map((ratio) => ratio.toFixed(2)).join(', ')}; against the rows without the chain: ${(m(samples[100], 'rate') / m(samples.plain, 'rate')).toFixed(3)}`,
  );
  printVerdict('store-append-postgres', m(samples[100], 'rate') / raw, 0.6);
}
