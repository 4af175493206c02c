import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../../core/eventStore/concurrencyError.js';
import { chainOf, checkLink } from '../../core/eventStore/hashChain.js';
import type { EventStore, NewEvent, RecordedEvent } from '../../core/eventStore/types.js';
import { until } from '../support/until.js';

export interface EventStoreFixture {
  /** Opens a store for one test (a fresh one, or a shared server: tests use unique stream names). */
  open(): EventStore | Promise<EventStore>;
  /** Opens the same storage again after `close()`; when absent the persistence test is skipped. */
  reopen?(): EventStore | Promise<EventStore>;
}

const event = (type: string, data: unknown = {}, metadata: NewEvent['metadata'] = {}): NewEvent => ({ type, data, metadata });

async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/**
 * The behaviour every event store adapter must have. Run it with a fixture per adapter:
 * `eventStoreContract('sqlite', { open: () => SqliteEventStore.open(file) })`.
 */
export function eventStoreContract(name: string, fixture: EventStoreFixture): void {
  describe(`event store contract: ${name}`, function () {
    this.timeout(60_000);
    let store: EventStore;
    let prefix: string;
    const stream = (label: string) => `${prefix}${label}`;

    beforeEach(async () => {
      // unique per test, so a shared server that is never wiped still gives clean streams
      prefix = `t${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
      store = await fixture.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('appendToStream and readStream', () => {
      it('records events with revisions, ids, metadata and increasing global positions', async () => {
        const result = await store.appendToStream(
          stream('a'),
          [event('Created', { n: 1 }, { tenantId: 'acme', actor: 'tester' }), event('Changed', { n: 2 })],
          { expectedRevision: 'no_stream' },
        );
        expect(result.nextExpectedRevision).to.equal(1);
        const events = await store.readStream(stream('a'));
        expect(events.map((e) => [e.type, e.revision, e.data])).to.deep.equal([
          ['Created', 0, { n: 1 }],
          ['Changed', 1, { n: 2 }],
        ]);
        expect(events[0]!.metadata).to.include({ tenantId: 'acme', actor: 'tester', schemaVersion: 1 });
        expect(events[0]!.streamName).to.equal(stream('a'));
        expect(events[0]!.id).to.match(/^[0-9a-f-]{36}$/);
        expect(events[0]!.recordedAt).to.be.instanceOf(Date);
        expect(events[1]!.globalPosition).to.be.greaterThan(events[0]!.globalPosition);
        expect(result.position).to.equal(events[1]!.globalPosition);
      });

      it('keeps a caller-supplied event id', async () => {
        const id = randomUUID();
        await store.appendToStream(stream('id'), [{ id, type: 'Created', data: {} }]);
        expect((await store.readStream(stream('id')))[0]!.id).to.equal(id);
      });

      it('refuses an empty append', async () => {
        let error: unknown;
        try {
          await store.appendToStream(stream('empty'), []);
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(TypeError);
      });

      it('honours every kind of expected revision', async () => {
        const s = stream('expected');
        await expectConflict(store.appendToStream(s, [event('X')], { expectedRevision: 'stream_exists' }));
        await expectConflict(store.appendToStream(s, [event('X')], { expectedRevision: 0 }));
        await store.appendToStream(s, [event('X')], { expectedRevision: 'no_stream' });
        await expectConflict(store.appendToStream(s, [event('X')], { expectedRevision: 'no_stream' }));
        await expectConflict(store.appendToStream(s, [event('X')], { expectedRevision: 5 }));
        const exact = await store.appendToStream(s, [event('X')], { expectedRevision: 0 });
        expect(exact.nextExpectedRevision).to.equal(1);
        await store.appendToStream(s, [event('X')], { expectedRevision: 'stream_exists' });
        const any = await store.appendToStream(s, [event('X')], { expectedRevision: 'any' });
        expect(any.nextExpectedRevision).to.equal(3);
        const conflict = await expectConflict(store.appendToStream(s, [event('X')], { expectedRevision: 1 }));
        expect(conflict.stream).to.equal(s);
        expect(conflict.expected).to.equal(1);
      });

      it('lets exactly one of 100 parallel appends with the same expected revision win', async () => {
        const s = stream('race');
        await store.appendToStream(s, [event('Started')], { expectedRevision: 'no_stream' });
        const attempts = Array.from({ length: 100 }, (_, i) => store.appendToStream(s, [event('Raced', { i })], { expectedRevision: 0 }));
        const outcomes = await Promise.allSettled(attempts);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        expect(won).to.have.length(1);
        expect(lost).to.have.length(99);
        for (const o of lost) expect((o as PromiseRejectedResult).reason).to.be.instanceOf(ConcurrencyError);
        expect((await store.readStream(s)).map((e) => e.revision)).to.deep.equal([0, 1]);
      });

      it('writes a multi-event append atomically and contiguously under parallel appends', async () => {
        const s = stream('multi');
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.appendToStream(s, [event('A', { i }), event('B', { i }), event('C', { i })])),
        );
        const events = await store.readStream(s);
        expect(events.map((e) => e.revision)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i));
        for (let i = 0; i < 60; i += 3) {
          expect(events.slice(i, i + 3).map((e) => e.type)).to.deep.equal(['A', 'B', 'C']);
          expect(new Set(events.slice(i, i + 3).map((e) => JSON.stringify(e.data))).size).to.equal(1);
        }
      });

      it('lets the appends that do not conflict succeed beside one that does', async () => {
        await store.appendToStream(stream('x'), [event('X')]);
        const outcomes = await Promise.allSettled([
          store.appendToStream(stream('y'), [event('Y')], { expectedRevision: 'no_stream' }),
          store.appendToStream(stream('x'), [event('X')], { expectedRevision: 'no_stream' }),
          store.appendToStream(stream('z'), [event('Z')], { expectedRevision: 'no_stream' }),
        ]);
        expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
      });

      it("gives 100 concurrent 'any' appends to one stream all a place, in the order they were made, chained", async () => {
        const s = stream('hot');
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.appendToStream(s, [event('Hot', { i })], { expectedRevision: 'any' })),
        );
        expect(results.map((r) => r.nextExpectedRevision)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
        const events = await store.readStream(s);
        expect(events.map((e) => (e.data as { i: number }).i)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
        let previous: { revision: number; hash: string } | undefined;
        for (const recorded of events) {
          expect(checkLink(previous, recorded)).to.equal(undefined);
          previous = { revision: recorded.revision, hash: chainOf(recorded.metadata)!.hash };
        }
      });

      it('answers a retried append with the same event ids as it answered the first time, and writes nothing twice', async () => {
        const s = stream('retry');
        const ids = [randomUUID(), randomUUID()];
        const append = (expectedRevision: 'no_stream' | 'any' | number) =>
          store.appendToStream(
            s,
            [
              { id: ids[0], type: 'A', data: { n: 1 } },
              { id: ids[1], type: 'B', data: { n: 2 } },
            ],
            { expectedRevision },
          );
        const first = await append('no_stream');
        expect(await append('no_stream')).to.deep.equal(first);
        expect(await append('any')).to.deep.equal(first);
        const single = randomUUID();
        const next = await store.appendToStream(s, [{ id: single, type: 'C', data: {} }], { expectedRevision: 1 });
        // retried after the stream moved on: still the first answer
        expect(await append('no_stream')).to.deep.equal(first);
        expect(await store.appendToStream(s, [{ id: single, type: 'C', data: {} }], { expectedRevision: 1 })).to.deep.equal(next);
        const events = await store.readStream(s);
        expect(events.map((e) => [e.id, e.type, e.revision])).to.deep.equal([
          [ids[0], 'A', 0],
          [ids[1], 'B', 1],
          [single, 'C', 2],
        ]);
        // retries racing each other: one write, the same answer for all
        const racing = [randomUUID()];
        const raced = await Promise.all(
          Array.from({ length: 5 }, () => store.appendToStream(s, [{ id: racing[0], type: 'D', data: {} }], { expectedRevision: 2 })),
        );
        expect(new Set(raced.map((r) => JSON.stringify(r))).size).to.equal(1);
        expect(await store.readStream(s)).to.have.length(4);
      });

      it('reports the position of the newest event as lastPosition', async () => {
        await store.appendToStream(stream('head'), [event('A')]);
        const { position } = await store.appendToStream(stream('head'), [event('B'), event('C')]);
        expect(await store.lastPosition()).to.be.at.least(position);
        // a shared server may take other writers' events meanwhile; alone, it is exactly the last append
        const [last] = await collect(store.readAll({ fromPosition: position - 1, maxCount: 1 }));
        expect(last!.globalPosition).to.equal(position);
      });

      it('reads a stream from a revision, backwards, and with a max count; a missing stream is empty', async () => {
        const s = stream('read');
        await store.appendToStream(
          s,
          Array.from({ length: 10 }, (_, i) => event('N', { i })),
        );
        const revisions = (events: RecordedEvent[]) => events.map((e) => e.revision);
        expect(revisions(await store.readStream(s, { fromRevision: 7 }))).to.deep.equal([7, 8, 9]);
        expect(revisions(await store.readStream(s, { maxCount: 2 }))).to.deep.equal([0, 1]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', maxCount: 3 }))).to.deep.equal([9, 8, 7]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 2 }))).to.deep.equal([2, 1, 0]);
        expect(await store.readStream(stream('missing'))).to.deep.equal([]);
      });
    });

    describe('hash chain', () => {
      const expectChained = (events: RecordedEvent[]) => {
        let previous: { revision: number; hash: string } | undefined;
        for (const recorded of events) {
          expect(checkLink(previous, recorded), `${recorded.streamName}@${recorded.revision}`).to.equal(undefined);
          previous = { revision: recorded.revision, hash: chainOf(recorded.metadata)!.hash };
        }
      };

      it('links every event to the one before it in its stream, across single, multi and racing appends', async () => {
        const s = stream('chain');
        await store.appendToStream(s, [event('A', { n: 1, nested: { b: 2, a: [1, null] } }, { tenantId: 'acme' })]);
        await store.appendToStream(s, [event('B'), event('C', undefined)], { expectedRevision: 0 });
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream(s, [event('Raced', { i })])));
        const events = await store.readStream(s);
        expect(events).to.have.length(13);
        expect(chainOf(events[0]!.metadata)!.prev).to.equal(null);
        expect(chainOf(events[0]!.metadata)!.hash).to.match(/^[0-9a-f]{64}$/);
        expectChained(events);
        expect(await store.readStream(stream('other-chain'))).to.deep.equal([]);
      });

      it('replaces a chain the caller put in the metadata, and starts each stream afresh', async () => {
        const forged = { prev: 'f'.repeat(64), hash: '0'.repeat(64) };
        await store.appendToStream(stream('c1'), [event('A', {}, { chain: forged })]);
        await store.appendToStream(stream('c2'), [event('A', {})]);
        const [one] = await store.readStream(stream('c1'));
        const [two] = await store.readStream(stream('c2'));
        expect(chainOf(one!.metadata)!.prev).to.equal(null);
        expectChained([one!]);
        // same type, data and metadata at the start of two streams: same hash, which is why verify walks streams
        expect(chainOf(one!.metadata)!.hash).to.equal(chainOf(two!.metadata)!.hash);
      });

      it('leaves no link behind for an append that lost its race', async () => {
        const s = stream('chain-race');
        await store.appendToStream(s, [event('Start')], { expectedRevision: 'no_stream' });
        await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.appendToStream(s, [event('Raced', { i })], { expectedRevision: 0 })),
        );
        await store.appendToStream(s, [event('After')]);
        expectChained(await store.readStream(s));
      });
    });

    describe('readAll', () => {
      it('yields events of all streams in global order, filtered by prefix, type and time', async () => {
        await store.appendToStream(stream('one'), [event('A', { n: 1 })]);
        await store.appendToStream(stream('two'), [event('B', { n: 2 })]);
        await store.appendToStream(stream('one'), [event('C', { n: 3 })]);
        await store.appendToStream(`other-${prefix}`, [event('A', { n: 4 })]);
        const mine = await collect(store.readAll({ filter: { streamPrefixes: [prefix] } }));
        expect(mine.map((e) => e.data)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
        const positions = mine.map((e) => e.globalPosition);
        expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);

        const typed = await collect(store.readAll({ filter: { streamPrefixes: [prefix], eventTypes: ['A', 'C'] } }));
        expect(typed.map((e) => e.type)).to.deep.equal(['A', 'C']);

        const two = await collect(store.readAll({ filter: { streamPrefixes: [stream('two'), `other-${prefix}`] } }));
        expect(two.map((e) => e.data)).to.deep.equal([{ n: 2 }, { n: 4 }]);

        const after = await collect(store.readAll({ fromPosition: mine[0]!.globalPosition, filter: { streamPrefixes: [prefix] } }));
        expect(after.map((e) => e.data)).to.deep.equal([{ n: 2 }, { n: 3 }]);

        const limited = await collect(store.readAll({ filter: { streamPrefixes: [prefix] }, maxCount: 2 }));
        expect(limited).to.have.length(2);

        const last = mine[2]!.recordedAt;
        const inWindow = await collect(
          store.readAll({
            filter: { streamPrefixes: [prefix], recordedFrom: mine[0]!.recordedAt, recordedBefore: new Date(last.getTime() + 1) },
          }),
        );
        expect(inWindow).to.have.length(3);
        const beforeFirst = await collect(store.readAll({ filter: { streamPrefixes: [prefix], recordedBefore: mine[0]!.recordedAt } }));
        expect(beforeFirst).to.have.length(0);
      });

      it('pages through more events than one page holds', async () => {
        const s = stream('many');
        for (let i = 0; i < 13; i++) {
          await store.appendToStream(
            s,
            Array.from({ length: 100 }, (_, j) => event('N', { n: i * 100 + j })),
          );
        }
        const all = await collect(store.readAll({ filter: { streamPrefixes: [s] } }));
        expect(all.map((e) => (e.data as { n: number }).n)).to.deep.equal(Array.from({ length: 1300 }, (_, n) => n));
      });
    });

    describe('readReplayPage (adapters that read synchronously)', () => {
      it('pages the events of the given types in global order, the same events readAll gives', async function () {
        if (!store.readReplayPage) return this.skip();
        const [wanted, alsoWanted, unwanted] = [`${prefix}Wanted`, `${prefix}AlsoWanted`, `${prefix}Unwanted`];
        for (let i = 0; i < 5; i++) {
          await store.appendToStream(stream(`s${i % 2}`), [
            event(wanted, { n: i }, { actor: `actor-${i}` }),
            event(unwanted, { n: i }),
            event(alsoWanted, { n: i }),
          ]);
        }
        const expected = await collect(store.readAll({ filter: { eventTypes: [wanted, alsoWanted] } }));
        expect(expected).to.have.length(10);
        const pages: RecordedEvent[][] = [];
        for (let position = 0; ;) {
          const page = store.readReplayPage(position, [wanted, alsoWanted], 3);
          if (page.length === 0) break;
          pages.push(page);
          position = page[page.length - 1]!.globalPosition;
        }
        expect(pages.map((page) => page.length)).to.deep.equal([3, 3, 3, 1]);
        const replayed = pages.flat();
        // id, metadata and recordedAt are read on first use: compare them field by field
        expect(
          replayed.map((e) => [e.id, e.type, e.data, e.metadata, e.streamName, e.revision, e.globalPosition, e.recordedAt.getTime()]),
        ).to.deep.equal(
          expected.map((e) => [e.id, e.type, e.data, e.metadata, e.streamName, e.revision, e.globalPosition, e.recordedAt.getTime()]),
        );
        expect(replayed[0]!.metadata.actor).to.equal('actor-0');
        expect(store.readReplayPage(0, [], 10)).to.deep.equal([]);
      });
    });

    describe('subscribe', () => {
      it('catches up from the start, then delivers live events without gaps or duplicates', async () => {
        for (let i = 0; i < 5; i++) await store.appendToStream(stream(`s${i % 2}`), [event('Before', { i })]);
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribe({ filter: { streamPrefixes: [prefix] } }, (e) => {
          seen.push(e);
        });
        await subscription.caughtUp;
        expect(seen.map((e) => e.data)).to.deep.equal([0, 1, 2, 3, 4].map((i) => ({ i })));
        await Promise.all(Array.from({ length: 30 }, (_, i) => store.appendToStream(stream(`s${i % 3}`), [event('Live', { i })])));
        await until(() => seen.length >= 35, '35 events');
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(seen).to.have.length(35);
        expect(new Set(seen.map((e) => e.id)).size).to.equal(35);
        const positions = seen.map((e) => e.globalPosition);
        expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
        expect(subscription.position).to.equal(positions[positions.length - 1]);
        await subscription.close();
      });

      it('resumes after a checkpoint and delivers only the events after it', async () => {
        await store.appendToStream(stream('r'), [event('A'), event('B')]);
        const first: RecordedEvent[] = [];
        const sub1 = store.subscribe({ filter: { streamPrefixes: [prefix] } }, (e) => {
          first.push(e);
        });
        await sub1.caughtUp;
        const checkpoint = sub1.position;
        await sub1.close();
        await store.appendToStream(stream('r'), [event('C')]);
        const second: RecordedEvent[] = [];
        const sub2 = store.subscribe({ fromPosition: checkpoint, filter: { streamPrefixes: [prefix] } }, (e) => {
          second.push(e);
        });
        await until(() => second.length >= 1, 'resumed event');
        await sub2.close();
        expect(first.map((e) => e.type)).to.deep.equal(['A', 'B']);
        expect(second.map((e) => e.type)).to.deep.equal(['C']);
      });

      it('filters live events by type and calls the handler one at a time', async () => {
        const seen: string[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        const subscription = store.subscribe({ filter: { streamPrefixes: [prefix], eventTypes: ['Kept'] } }, async (e) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 2));
          seen.push((e.data as { i: number }).i.toString());
          inFlight -= 1;
        });
        await subscription.caughtUp;
        for (let i = 0; i < 10; i++) await store.appendToStream(stream('f'), [event(i % 2 ? 'Kept' : 'Dropped', { i })]);
        await until(() => seen.length >= 5, 'kept events');
        await subscription.close();
        expect(seen).to.deep.equal(['1', '3', '5', '7', '9']);
        expect(maxInFlight).to.equal(1);
      });

      it('reports a failing handler once through onError and stops', async () => {
        await store.appendToStream(stream('err'), [event('A'), event('B')]);
        const errors: Error[] = [];
        let calls = 0;
        const subscription = store.subscribe({ filter: { streamPrefixes: [prefix] }, onError: (error) => errors.push(error) }, () => {
          calls += 1;
          throw new Error('projection broke');
        });
        await until(() => errors.length > 0, 'onError');
        await store.appendToStream(stream('err'), [event('C')]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(errors.map((e) => e.message)).to.deep.equal(['projection broke']);
        expect(calls).to.equal(1);
        await subscription.close();
      });
    });

    it('closes an open subscription silently with the store', async () => {
      await store.appendToStream(stream('open'), [event('A')]);
      const errors: Error[] = [];
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe({ filter: { streamPrefixes: [prefix] }, onError: (error) => errors.push(error) }, (e) => {
        seen.push(e);
      });
      await subscription.caughtUp;
      await store.close();
      await subscription.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(errors).to.deep.equal([]);
      expect(seen).to.have.length(1);
      store = await fixture.open(); // afterEach closes it
    });

    it('answers ping while open', async () => {
      await store.ping();
    });

    if (fixture.reopen) {
      const reopen = fixture.reopen.bind(fixture);
      it('keeps every event across close and reopen', async () => {
        await store.appendToStream(stream('durable'), [event('A', { n: 1 }), event('B', { n: 2 })]);
        await store.close();
        store = await reopen();
        const events = await store.readStream(stream('durable'));
        expect(events.map((e) => e.data)).to.deep.equal([{ n: 1 }, { n: 2 }]);
        const next = await store.appendToStream(stream('durable'), [event('C')], { expectedRevision: 1 });
        expect(next.nextExpectedRevision).to.equal(2);
      });
    }
  });
}

async function expectConflict(promise: Promise<unknown>): Promise<ConcurrencyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConcurrencyError);
    return error as ConcurrencyError;
  }
  throw new Error('expected a ConcurrencyError');
}
