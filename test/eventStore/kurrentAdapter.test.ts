import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../../core/eventStore/concurrencyError.js';
import { chainOf, checkLink } from '../../core/eventStore/hashChain.js';
import { KurrentEventStore } from '../../core/eventStore/kurrentEventStore.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { eventStoreContract } from '../contracts/eventStore.contract.js';
import { KurrentModel } from '../support/kurrentModel.js';

// The adapter's own logic (batching, chaining, conflicts, idempotency, close) over a model of the client
// and server (`test/support/kurrentModel.ts`); `kurrentEventStore.test.ts` runs the same suite against a
// real server when OTPLEDGER_TEST_KURRENTDB is set.
let model = new KurrentModel();
eventStoreContract('kurrentdb adapter over a model of the client (no server)', {
  open: () => new KurrentEventStore((model = new KurrentModel()).client()),
  reopen: () => new KurrentEventStore(model.client()),
});

describe('KurrentDB adapter (over a model of the client)', () => {
  const chained = (events: RecordedEvent[]) => {
    let previous: { revision: number; hash: string } | undefined;
    for (const event of events) {
      expect(checkLink(previous, event), `${event.streamName}@${event.revision}`).to.equal(undefined);
      previous = { revision: event.revision, hash: chainOf(event.metadata)!.hash };
    }
  };

  it("writes 100 concurrent 'any' appends to one stream in two server appends, reading heads from the leader", async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.appendToStream('hot', [{ type: 'Hot', data: { i } }])));
    expect(results.map((r) => r.nextExpectedRevision)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    // the first append alone, then the 99 queued behind it together
    expect(server.calls.appends).to.equal(2);
    expect(server.calls.readStream).to.be.at.most(3); // two head reads, one read-back of the 99 positions
    expect(server.calls.leaderReads).to.equal(server.calls.readStream);
    const events = await store.readStream('hot');
    expect(events.map((e) => (e.data as { i: number }).i)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    expect(new Set(results.map((r) => r.position)).size).to.equal(100);
    expect(results.map((r) => r.position)).to.deep.equal(events.map((e) => e.globalPosition));
    chained(events);
    await store.close();
  });

  it("lets two processes race 60 'any' appends each to one stream without a single failure", async () => {
    const server = new KurrentModel();
    const [one, two] = [new KurrentEventStore(server.client()), new KurrentEventStore(server.client())];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 120 }, (_, i) => (i % 2 ? one : two).appendToStream('contended', [{ type: 'Raced', data: { i } }])),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).to.deep.equal([]);
    const events = await one.readStream('contended');
    expect(events.map((e) => e.revision)).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
    chained(events);
    await Promise.all([one.close(), two.close()]);
  });

  it('appends to a stream whose events expired or were truncated, going on from the revision the server reports', async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    await store.appendToStream('retained', [
      { type: 'A', data: {} },
      { type: 'B', data: {} },
    ]);
    server.hideStream('retained');
    const appendsBefore = server.calls.appends;
    const result = await store.appendToStream('retained', [{ type: 'C', data: {} }]);
    expect(result.nextExpectedRevision).to.equal(2);
    expect(server.calls.appends - appendsBefore).to.equal(2); // one conflict that says where the stream is, then the write
    const [c] = await store.readStream('retained');
    expect(c!.revision).to.equal(2);
    expect(chainOf(c!.metadata)!.prev).to.equal(null); // its predecessor is gone: the chain starts again
    // a caller's exact revision is checked against what the server said
    let error: unknown;
    await store.appendToStream('retained', [{ type: 'D', data: {} }], { expectedRevision: 'no_stream' }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConcurrencyError);
    await store.close();
  });

  it('retries an append whose answer was lost with the same ids and revision: written once', async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    await store.appendToStream('lost', [{ type: 'A', data: {} }]);
    server.loseNextAnswer = true;
    const result = await store.appendToStream('lost', [
      { type: 'B', data: {} },
      { type: 'C', data: {} },
    ]);
    expect(result.nextExpectedRevision).to.equal(2);
    expect((await store.readStream('lost')).map((e) => e.type)).to.deep.equal(['A', 'B', 'C']);
    await store.close();
  });

  it('reports as lastPosition the newest event a subscription delivers, past trailing system events', async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    const { position } = await store.appendToStream('mine', [{ type: 'A', data: {} }]);
    server.systemEvent('$projections-$all', 'ProjectionUpdated');
    server.systemEvent('$stats-127.0.0.1:2113', '$statsCollected');
    server.systemEvent('mine-too', '$metadata');
    expect(await store.lastPosition()).to.equal(position);
    expect(await new KurrentEventStore(new KurrentModel().client()).lastPosition()).to.equal(0);
    await store.close();
  });

  it('reads nothing for an empty filter list instead of streaming the whole of $all', async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    await store.appendToStream('x', [{ type: 'A', data: {} }]);
    const read: RecordedEvent[] = [];
    for await (const event of store.readAll({ filter: { streamPrefixes: [] } })) read.push(event);
    for await (const event of store.readAll({ filter: { eventTypes: [] } })) read.push(event);
    expect(read).to.deep.equal([]);
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribe({ filter: { eventTypes: [] } }, (e) => void seen.push(e));
    await subscription.caughtUp;
    await store.appendToStream('x', [{ type: 'B', data: {} }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).to.deep.equal([]);
    await store.close();
  });

  it('closes with its subscriptions silent, the channel closed, and refuses calls after', async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    await store.appendToStream('c', [{ type: 'A', data: {} }]);
    const errors: Error[] = [];
    const subscription = store.subscribe({ onError: (error) => errors.push(error) }, () => undefined);
    await subscription.caughtUp;
    const pending = store.appendToStream('c', [{ type: 'B', data: {} }]);
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).to.deep.equal([]);
    expect((await pending).nextExpectedRevision).to.equal(1); // accepted before close: written
    expect(server.disposed).to.equal(true);
    expect(server.channelClosed).to.equal(true);
    let refused: unknown;
    await store.readStream('c').catch((e: unknown) => (refused = e));
    expect((refused as Error).message).to.equal('event store is closed');
    await store.appendToStream('c', [{ type: 'C', data: {} }]).catch((e: unknown) => (refused = e));
    expect((refused as Error).message).to.equal('event store is closed');
  });

  it('answers a retry of an append already in the same batch as that append', async () => {
    const server = new KurrentModel();
    const store = new KurrentEventStore(server.client());
    const id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.appendToStream('dup', [{ id, type: 'A', data: {} }], { expectedRevision: 'no_stream' })),
    );
    expect(new Set(results.map((r) => JSON.stringify(r))).size).to.equal(1);
    expect(await store.readStream('dup')).to.have.length(1);
    await store.close();
  });
});
