import Database from 'better-sqlite3';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { handleCommand, loadState, readFoldable } from '../../core/decider/commandHandler.js';
import type { Decider } from '../../core/decider/decider.js';
import { commandEventId } from '../../core/eventStore/eventIds.js';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { StoreUnavailableError } from '../../core/eventStore/storeUnavailable.js';
import type { EventStore } from '../../core/eventStore/types.js';

type CounterEvent = { type: 'Added'; data: { n: number } } | { type: 'Reset'; data: { total: number } };
/** Adds; every `Reset` restates the total, so folding may start there. */
const counter: Decider<number, { add: number }, CounterEvent> = {
  initialState: () => 0,
  decide: ({ add }, total) =>
    total + add >= 100 ? [{ type: 'Reset', data: { total: total + add } }] : [{ type: 'Added', data: { n: add } }],
  evolve: (total, event) => (event.type === 'Added' ? total + event.data.n : event.data.total),
  isSnapshot: (event) => event.type === 'Reset',
};

describe('command handler', () => {
  let store: EventStore;
  beforeEach(() => {
    store = SqliteEventStore.open(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-cmd-')), 'events.db'));
  });
  afterEach(() => store.close());

  it('decides on the current state and retries after a conflict, so parallel commands all count', async () => {
    await Promise.all(Array.from({ length: 30 }, () => handleCommand(store, 'counter-1', counter, { add: 1 })));
    expect(await loadState(store, 'counter-1', counter)).to.equal(30);
    expect((await store.readStream('counter-1')).map((e) => e.revision)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
  });

  it('folds only from the newest snapshot event, to the same state as a full fold', async () => {
    for (let i = 0; i < 130; i++) await handleCommand(store, 'counter-2', counter, { add: 3 });
    const all = await store.readStream('counter-2');
    const tail = await readFoldable(store, 'counter-2', counter);
    expect(tail[0]!.type).to.equal('Reset');
    expect(tail.length).to.be.lessThan(40);
    expect(tail[tail.length - 1]!.revision).to.equal(all[all.length - 1]!.revision);
    const full = all.reduce((total, e) => counter.evolve(total, { type: e.type, data: e.data } as CounterEvent), 0);
    expect(await loadState(store, 'counter-2', counter)).to.equal(full);
  });

  it('folds only the newer events onto a remembered state when the stream moved on a little, and re-reads when it moved far', async () => {
    await handleCommand(store, 'counter-3', counter, { add: 5 });
    const reads: { fromRevision?: number; direction?: string }[] = [];
    // the state cache is per store object: watch this one's reads
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, options) => {
      reads.push({ ...options });
      return readStream(stream, options);
    };
    // appended behind the handler's back, as the SMS dispatcher appends SmsSent to a code's stream
    await store.appendToStream('counter-3', [{ type: 'Added', data: { n: 2 } }], { expectedRevision: 0 });
    expect(await loadState(store, 'counter-3', counter)).to.equal(7);
    expect(reads).to.deep.equal([{ fromRevision: 0 }]); // the remembered event and the one after it
    reads.length = 0;
    await store.appendToStream(
      'counter-3',
      Array.from({ length: 40 }, () => ({ type: 'Added', data: { n: 1 } })),
      { expectedRevision: 1 },
    );
    expect(await loadState(store, 'counter-3', counter)).to.equal(47);
    expect(reads[0]).to.deep.include({ direction: 'backwards' }); // 40 behind: the stream is read as without a cache
  });

  it('re-reads a stream whose remembered event is gone (a store restored from a backup that grew again), never folding onto it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-cmd3-')), 'events.db');
    const a = SqliteEventStore.open(file);
    try {
      await handleCommand(a, 'counter-r', counter, { add: 5 });
      expect(await loadState(a, 'counter-r', counter)).to.equal(5); // remembered at revision 0
      const raw = new Database(file);
      raw.prepare("DELETE FROM events WHERE stream = 'counter-r'").run(); // the tail lost
      raw.close();
      await a.appendToStream(
        'counter-r',
        [
          { type: 'Added', data: { n: 1 } },
          { type: 'Added', data: { n: 1 } },
        ],
        { expectedRevision: 'no_stream' },
      );
      expect(await loadState(a, 'counter-r', counter)).to.equal(2); // not 5 + 1
    } finally {
      await a.close();
    }
  });

  it('never serves a cached state once another writer (here another store on the same file) moved the stream', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-cmd2-')), 'events.db');
    const a = SqliteEventStore.open(file);
    const b = SqliteEventStore.open(file);
    try {
      await handleCommand(a, 'counter-x', counter, { add: 5 });
      expect(await loadState(a, 'counter-x', counter)).to.equal(5); // now cached in a
      await handleCommand(b, 'counter-x', counter, { add: 7 });
      expect(await loadState(a, 'counter-x', counter)).to.equal(12);
      // a decides on the fresh state, so its append lands after b's
      await handleCommand(a, 'counter-x', counter, { add: 1 });
      expect(await loadState(b, 'counter-x', counter)).to.equal(13);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reads the whole stream when there is no snapshot yet, across pages', async () => {
    for (let i = 0; i < 40; i++) await handleCommand(store, 'counter-3', counter, { add: 1 });
    expect(await readFoldable(store, 'counter-3', counter)).to.have.length(40);
  });

  it('sends an append whose outcome was lost once more with the same ids: written once, counted once', async () => {
    let lose = 1; // the store wrote the append but its answer never came
    const flaky: EventStore = Object.create(store) as EventStore;
    flaky.appendToStream = async (...args) => {
      const result = await store.appendToStream(...args);
      if (lose-- > 0) throw new StoreUnavailableError('connection lost after the write');
      return result;
    };
    await handleCommand(flaky, 'counter-4', counter, { add: 2 });
    expect(await loadState(store, 'counter-4', counter)).to.equal(2);
    // twice in a row is no longer a blip: the caller hears about it, and still nothing is doubled
    lose = 2;
    let error: unknown;
    await handleCommand(flaky, 'counter-4', counter, { add: 3 }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(StoreUnavailableError);
    expect((await store.readStream('counter-4')).map((e) => e.data)).to.deep.equal([{ n: 2 }, { n: 3 }]);
  });

  it('gives each command its own event ids, the same for the same append', () => {
    const a = commandEventId('cmd-1', 's', 0, 0);
    expect(a).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(commandEventId('cmd-1', 's', 0, 0)).to.equal(a);
    expect(
      new Set([
        a,
        commandEventId('cmd-2', 's', 0, 0),
        commandEventId('cmd-1', 't', 0, 0),
        commandEventId('cmd-1', 's', 1, 0),
        commandEventId('cmd-1', 's', 0, 1),
        commandEventId('cmd-1', 's', 'no_stream', 0),
      ]).size,
    ).to.equal(6);
  });
});
