// Rebuild rate of every projection over a generated log (1,000,000 events; BENCH_SCALE scales it),
// beside the raw rate of reading the same events and JSON.parse-ing their data and metadata, measured
// in the same run on the same file. The raw baseline is measured before and after the rebuild and the
// faster of the two is used, so a warm page cache never flatters the ratio.
import Database from 'better-sqlite3';
import path from 'node:path';
import { SqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { allProjections } from '../projections/index.js';
import { ReadModelStore } from '../projections/readModelStore.js';
import { rebuildProjections } from '../projections/rebuild.js';
import { fmt, printVerdict, rate, tempDir } from './benchSupport.js';
import { generateEvents } from './replayEvents.js';

const TARGET = 0.6;

function rawRate(file: string): number {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let count = 0;
  let bytes = 0;
  for (const row of db.prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
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

const rawBefore = rawRate(file);
const store = SqliteEventStore.open(file);
const readModels = ReadModelStore.open(path.join(dir, 'readmodels.db'));
const projections = allProjections({ hmacKey: Buffer.alloc(32, 7) });
started = performance.now();
const result = await rebuildProjections(store, readModels, projections);
// the rebuild covers the whole log; it reads and applies only the events of the types the projections
// handle (the rest are skipped inside SQLite), so its rate is over the log, like the raw read's
const rebuild = rate(written, performance.now() - started);
await store.close();
readModels.close();
const rawAfter = rawRate(file);
const raw = Math.max(rawBefore, rawAfter);

console.log(`raw read + JSON.parse (better-sqlite3 iterate): ${fmt(rawBefore)} / ${fmt(rawAfter)} events/s (using ${fmt(raw)})`);
console.log(`rebuild of ${projections.length} projections (${projections.map((p) => p.name).join(', ')}): ${fmt(rebuild)} events/s over ${fmt(written)} events (${fmt(result.events)} of them of types a projection handles)`);
printVerdict('replay', rebuild / raw, TARGET);
