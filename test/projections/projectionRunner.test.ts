import Database from 'better-sqlite3';
import { expect } from 'chai';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import type { Projection } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projectionRunner.js';
import { ReadModelStore } from '../../projections/readModelStore.js';
import { captureLogger } from '../support/captureLogger.js';
import { tempDir } from '../support/tempDir.js';
import { until } from '../support/until.js';

/** Counts `Counted` events and sums their `n`; `Ignored` events are none of its business. */
function countingProjection(version: number): Projection {
  return {
    name: 'counting',
    version,
    canHandle: ['Counted'],
    tables: ['counted'],
    setup(db) {
      db.exec(
        'CREATE TABLE IF NOT EXISTS counted (id INTEGER PRIMARY KEY CHECK (id = 1), events INTEGER NOT NULL, total INTEGER NOT NULL); INSERT OR IGNORE INTO counted VALUES (1, 0, 0)',
      );
    },
    writer(db) {
      const add = db.prepare('UPDATE counted SET events = events + 1, total = total + ?');
      return { apply: (event) => void add.run((event.data as { n: number }).n) };
    },
  };
}

/** 120,000 events, more than two replay batches; a quarter of them of a type nobody handles. */
async function appendBacklog(store: SqliteEventStore): Promise<void> {
  const appends = [];
  for (let i = 0; i < 1200; i++) {
    appends.push(
      store.appendToStream(
        `s-${i % 7}`,
        Array.from({ length: 100 }, (_, j) => ({ type: j % 4 === 3 ? 'Ignored' : 'Counted', data: { n: 1 } })),
      ),
    );
  }
  await Promise.all(appends);
}

describe('projection runner', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let readModels: ReadModelStore;
  const counted = () => readModels.db.prepare('SELECT events, total FROM counted').get() as { events: number; total: number };
  const runner = (version: number, logger = captureLogger().logger) =>
    new ProjectionRunner({ eventStore: store, readModels, projections: [countingProjection(version)], logger });

  beforeEach(async () => {
    dir = tempDir();
    store = SqliteEventStore.open(path.join(dir.dir, 'events.db'));
    readModels = ReadModelStore.open(path.join(dir.dir, 'readmodels.db'));
    await appendBacklog(store);
  });
  afterEach(async () => {
    await store.close();
    readModels.close();
    dir.remove();
  });

  it('replays a backlog at start, then stays live; a version bump replays it again from scratch', async () => {
    const first = runner(1);
    first.start();
    await first.catchUp();
    expect(counted()).to.deep.equal({ events: 90_000, total: 90_000 });
    expect(first.position).to.equal(await store.lastPosition());

    await store.appendToStream('s-live', [
      { type: 'Counted', data: { n: 5 } },
      { type: 'Ignored', data: {} },
    ]);
    await first.catchUp();
    expect(counted()).to.deep.equal({ events: 90_001, total: 90_005 });
    await first.stop();

    const bumped = runner(2);
    bumped.start();
    await bumped.catchUp();
    expect(counted()).to.deep.equal({ events: 90_001, total: 90_005 });
    expect(readModels.checkpoint('counting')).to.deep.equal({ position: await store.lastPosition(), version: 2 });
    await bumped.stop();
  });

  it('stops between replay batches: nothing is applied after stop() resolves', async () => {
    const stopping = runner(1);
    stopping.start();
    while (stopping.position === 0) await nextTurn();
    await stopping.stop();
    const atStop = { counted: counted(), checkpoint: readModels.checkpoint('counting') };
    expect(atStop.counted.events).to.be.greaterThan(0).and.lessThan(90_000);
    for (let i = 0; i < 20; i++) await nextTurn();
    expect({ counted: counted(), checkpoint: readModels.checkpoint('counting') }).to.deep.equal(atStop);
  });

  it('waits, without holding the event loop, while another process holds the read-model write lock; then applies everything', async () => {
    const { logger, lines } = captureLogger();
    const said = (words: string) => lines.filter((line) => line.msg.includes(words)).length;
    // a `projections rebuild` in another process, mid-batch
    const rebuild = new Database(path.join(dir.dir, 'readmodels.db'));
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    rebuild.exec('BEGIN IMMEDIATE');
    const waiting = runner(1, logger);
    waiting.start();
    await until(() => said('starting again shortly') >= 2, 'two starts put off');
    expect(waiting.position).to.equal(0);
    rebuild.exec('COMMIT');
    await waiting.catchUp();
    expect(counted()).to.deep.equal({ events: 90_000, total: 90_000 });

    rebuild.exec('BEGIN IMMEDIATE');
    await store.appendToStream('s-live', [{ type: 'Counted', data: { n: 5 } }]);
    await until(() => said('applying shortly') >= 2, 'two batches put off');
    expect(counted().events).to.equal(90_000);
    loopDelay.disable();
    // SQLite's own wait (10 s by default) would hold the event loop for all of it: the runner's is 20 ms.
    // The bound is loose on purpose: it tells a free loop from a held one, it is not a speed target.
    expect(loopDelay.max / 1e6, 'longest event loop delay while locked, ms').to.be.lessThan(2000);
    rebuild.exec('COMMIT');
    await waiting.catchUp();
    expect(counted()).to.deep.equal({ events: 90_001, total: 90_005 });
    expect(
      lines.filter((line) => line.level >= 50),
      'errors logged',
    ).to.deep.equal([]);
    rebuild.close();
    await waiting.stop();
  });
});
