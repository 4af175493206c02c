// Rebuild rate of every projection over a generated log (1,000,000 events; BENCH_SCALE scales it),
// beside the raw rate of reading the same events and JSON.parse-ing their data and metadata, measured
// in the same run on the same file. Rounds (BENCH_ROUNDS, 3) of a raw read then a rebuild into a fresh
// read-model file: each round's ratio pairs two measurements taken seconds apart, and the verdict is the
// median of the rounds' ratios (this machine's speed swings by a third from minute to minute).
import Database from 'better-sqlite3';
import path from 'node:path';
import { SqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { allProjections } from '../projections/index.js';
import { ReadModelStore } from '../projections/readModelStore.js';
import { rebuildProjections } from '../projections/rebuild.js';
import { fmt, median, printVerdict, rate, tempDir } from './benchSupport.js';
import { generateEvents } from './replayEvents.js';

const TARGET = 0.6;

function rawRate(file: string): number {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let count = 0;
  let bytes = 0;
  for (const row of db
    .prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events ORDER BY position')
    .iterate() as Iterable<{ data: string; metadata: string }>) {
    const data = JSON.parse(row.data) as object;
    const metadata = JSON.parse(row.metadata) as object;
    if (data && metadata) count += 1;
    bytes += row.data.length;
  }
  const ms = performance.now() - started;
  db.close();
  if (bytes === 0) throw new Error('no events read');
  return rate(count, ms);
}

const total = Math.round(1_000_000 * Number(process.env.BENCH_SCALE ?? 1));
const dir = tempDir('replay');
const file = path.join(dir, 'events.db');
let started = performance.now();
const written = generateEvents(file, total);
console.log(`generated ${fmt(written)} hash-chained events in ${((performance.now() - started) / 1000).toFixed(1)}s`);

const projections = allProjections({ hmacKey: Buffer.alloc(32, 7) });
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ratios: number[] = [];
let applied = 0;
for (let round = 1; round <= rounds; round++) {
  const raw = rawRate(file);
  const store = SqliteEventStore.open(file);
  const readModels = ReadModelStore.open(path.join(dir, `readmodels-${round}.db`));
  started = performance.now();
  applied = (await rebuildProjections(store, readModels, projections)).events;
  // the rebuild covers the whole log; it reads and applies only the events of the types the projections
  // handle (the rest are skipped inside SQLite), so its rate is over the log, like the raw read's
  const rebuild = rate(written, performance.now() - started);
  await store.close();
  readModels.close();
  ratios.push(rebuild / raw);
  console.log(
    `round ${round}: raw read + JSON.parse (better-sqlite3 iterate) ${fmt(raw)} events/s; rebuild ${fmt(rebuild)} events/s; ratio ${(rebuild / raw).toFixed(3)}`,
  );
}
console.log(
  `rebuild of ${projections.length} projections (${projections.map((p) => p.name).join(', ')}) over ${fmt(written)} events, ${fmt(applied)} of them of types a projection handles; median of ${rounds} rounds:`,
);
printVerdict('replay', median(ratios), TARGET);
