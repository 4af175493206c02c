import { expect } from 'chai';
import { Transform, type TransformCallback } from 'node:stream';
import { ANY, NO_STREAM, START, STREAM_EXISTS, type AllStreamResolvedEvent, type AllStreamSubscription } from '@kurrent/kurrentdb-client';
import { KurrentEventStore } from '../../core/eventStore/kurrentEventStore.js';
import {
  normalizeConnectionString,
  toActualRevision,
  toEventData,
  toGlobalPosition,
  toReadPosition,
  toRecordedEvent,
  toServerFilter,
  toStreamState,
} from '../../core/eventStore/kurrentMapping.js';
import { KurrentSubscription } from '../../core/eventStore/kurrentSubscription.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { eventStoreContract } from '../contracts/eventStore.contract.js';

const serverUrl = process.env.OTPLEDGER_TEST_KURRENTDB;
if (serverUrl) {
  // The server is shared and never wiped: the contract suite gives every test its own stream prefix.
  eventStoreContract('kurrentdb', {
    open: () => KurrentEventStore.connect(serverUrl),
    reopen: () => KurrentEventStore.connect(serverUrl),
  });
} else {
  describe('event store contract: kurrentdb', () => {
    it('runs against a KurrentDB server', function () {
      console.log('KurrentDB contract suite skipped: set OTPLEDGER_TEST_KURRENTDB=kurrentdb://localhost:2113?tls=false to run it');
      this.skip();
    });
  });
}

/** A client-shaped event as it arrives from $all. */
function resolved(
  position: number,
  streamId = 'otp-1',
  type = 'OtpIssued',
  metadata: unknown = { schemaVersion: 1 },
): AllStreamResolvedEvent {
  const at = BigInt(position);
  return {
    event: {
      streamId,
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      isJson: true,
      revision: 0n,
      type,
      created: new Date(1_700_000_000_000 + position),
      data: { position },
      metadata: metadata as Record<string, unknown>,
      position: { commit: at, prepare: at },
    },
  };
}

describe('KurrentDB mapping', () => {
  it('hands the client kurrentdb:// or kurrentdb+discover:// for every scheme it parses, in any case, and leaves the rest alone', () => {
    expect(normalizeConnectionString('kdb://h:2113?tls=false')).to.equal('kurrentdb://h:2113?tls=false');
    expect(normalizeConnectionString('  KurrentDB://h:2113 ')).to.equal('kurrentdb://h:2113');
    expect(normalizeConnectionString('Kurrent+Discover://cluster:2113')).to.equal('kurrentdb+discover://cluster:2113');
    expect(normalizeConnectionString('kdb+discover://cluster:2113')).to.equal('kurrentdb+discover://cluster:2113');
    expect(normalizeConnectionString('esdb://localhost:2113?tls=false')).to.equal('kurrentdb://localhost:2113?tls=false');
    expect(normalizeConnectionString(' ESDB+discover://admin:changeit@cluster.local:2113 ')).to.equal(
      'kurrentdb+discover://admin:changeit@cluster.local:2113',
    );
    expect(normalizeConnectionString('kurrentdb://h1:2113,h2:2113,h3:2113?tls=false')).to.equal(
      'kurrentdb://h1:2113,h2:2113,h3:2113?tls=false',
    );
  });

  it('maps expected revisions to stream states and refuses impossible revisions', () => {
    expect(toStreamState('any')).to.equal(ANY);
    expect(toStreamState('no_stream')).to.equal(NO_STREAM);
    expect(toStreamState('stream_exists')).to.equal(STREAM_EXISTS);
    expect(toStreamState(0)).to.equal(0n);
    expect(toStreamState(41)).to.equal(41n);
    expect(() => toStreamState(-1)).to.throw(TypeError);
    expect(() => toStreamState(1.5)).to.throw(TypeError);
  });

  it('reports a missing stream as actual revision -1', () => {
    expect(toActualRevision(NO_STREAM)).to.equal(-1);
    expect(toActualRevision(7n)).to.equal(7);
  });

  it('uses prepare positions as global positions and addresses them back exactly', () => {
    expect(toGlobalPosition({ commit: 900n, prepare: 1024n })).to.equal(1024);
    expect(toReadPosition(0)).to.equal(START);
    expect(toReadPosition(1024)).to.deep.equal({ commit: 1024n, prepare: 1024n });
  });

  it('pushes stream prefixes, else event types, else "no system events" down to the server', () => {
    expect(toServerFilter({ streamPrefixes: ['otp-'], eventTypes: ['OtpIssued'] })).to.include({ filterOn: 'streamName' });
    expect(toServerFilter({ streamPrefixes: ['otp-'] })).to.have.deep.property('prefixes', ['otp-']);
    expect(toServerFilter({ eventTypes: ['OtpIssued'] })).to.deep.include({ filterOn: 'eventType', prefixes: ['OtpIssued'] });
    expect(toServerFilter(undefined)).to.deep.include({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(toServerFilter({ streamPrefixes: [] })).to.deep.include({ filterOn: 'streamName', regex: '^$' });
    expect(toServerFilter({ streamPrefixes: ['otp-'], eventTypes: [] })).to.deep.include({ filterOn: 'streamName', regex: '^$' });
  });

  it('fills event ids and schemaVersion 1 when absent and keeps them when given', () => {
    const filled = toEventData({ type: 'OtpIssued', data: undefined, metadata: { tenantId: 'acme' } });
    expect(filled.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(filled).to.deep.include({ contentType: 'application/json', type: 'OtpIssued', data: null });
    expect(filled.metadata).to.deep.equal({ tenantId: 'acme', schemaVersion: 1 });
    const kept = toEventData({ id: 'b3f1c6de-0d0e-4f54-9a4f-5b1f1b0d2a11', type: 'T', data: {}, metadata: { schemaVersion: 2 } });
    expect(kept.id).to.equal('b3f1c6de-0d0e-4f54-9a4f-5b1f1b0d2a11');
    expect(kept.metadata).to.deep.equal({ schemaVersion: 2 });
  });

  it('converts recorded events, defaulting metadata that is missing or not JSON', () => {
    const event = toRecordedEvent(resolved(512, 'otp-9', 'OtpIssued', { actor: 'system', schemaVersion: 3 }).event!);
    expect(event).to.deep.include({ streamName: 'otp-9', type: 'OtpIssued', revision: 0, globalPosition: 512 });
    expect(event.metadata).to.deep.equal({ actor: 'system', schemaVersion: 3 });
    expect(event.recordedAt).to.be.instanceOf(Date);
    expect(toRecordedEvent(resolved(1, 's', 'T', undefined).event!).metadata).to.deep.equal({ schemaVersion: 1 });
    expect(toRecordedEvent(resolved(1, 's', 'T', new Uint8Array([1])).event!).metadata).to.deep.equal({ schemaVersion: 1 });
  });
});

/**
 * Stands in for the client's subscription: an object-mode Transform that, like the real one, emits
 * `caughtUp` when the server's marker passes through, while earlier events may still sit in its buffer.
 */
class FakeSubscription extends Transform {
  unsubscribed = false;
  constructor() {
    super({ objectMode: true });
  }
  override _transform(item: AllStreamResolvedEvent | 'caughtUp', _encoding: BufferEncoding, next: TransformCallback): void {
    if (item === 'caughtUp') {
      this.emit('caughtUp', {});
      next();
    } else {
      next(null, item);
    }
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KurrentSubscription', () => {
  it('resolves caughtUp only once the events before the marker are handled, one at a time', async () => {
    const fake = new FakeSubscription();
    const seen: number[] = [];
    let inFlight = 0;
    const subscription = new KurrentSubscription(fake as unknown as AllStreamSubscription, { fromPosition: 0 }, async (e) => {
      inFlight += 1;
      expect(inFlight).to.equal(1);
      await tick();
      seen.push(e.globalPosition);
      inFlight -= 1;
    });
    for (const p of [10, 20, 30]) fake.write(resolved(p));
    fake.write('caughtUp');
    fake.write(resolved(40));
    await subscription.caughtUp;
    expect(seen).to.deep.equal([10, 20, 30]);
    expect(subscription.position).to.equal(30);
    await subscription.close();
    expect(fake.unsubscribed).to.equal(true);
  });

  it('resolves caughtUp at once when there is nothing to catch up on', async () => {
    const fake = new FakeSubscription();
    const subscription = new KurrentSubscription(fake as unknown as AllStreamSubscription, { fromPosition: 0 }, () => {});
    fake.write('caughtUp');
    await subscription.caughtUp;
    await subscription.close();
  });

  it('skips system events, events at or before the checkpoint and events the filter rejects', async () => {
    const fake = new FakeSubscription();
    const seen: RecordedEvent[] = [];
    const subscription = new KurrentSubscription(
      fake as unknown as AllStreamSubscription,
      { fromPosition: 20, filter: { streamPrefixes: ['otp-'], eventTypes: ['OtpIssued'] } },
      (e) => {
        seen.push(e);
      },
    );
    fake.write(resolved(20));
    fake.write(resolved(30, '$stats-127.0.0.1:2113', 'OtpIssued'));
    fake.write(resolved(40, 'otp-1', '$metadata'));
    fake.write(resolved(50, 'otp-1', 'OtpFailed'));
    fake.write(resolved(60, 'otp-2', 'OtpIssued'));
    fake.write(resolved(70, 'user-1', 'OtpIssued'));
    fake.write('caughtUp');
    await subscription.caughtUp;
    expect(seen.map((e) => e.globalPosition)).to.deep.equal([60]);
    expect(subscription.position).to.equal(60);
    await subscription.close();
  });

  it('reports a failing handler once, rejects caughtUp and unsubscribes', async () => {
    const fake = new FakeSubscription();
    const errors: Error[] = [];
    let calls = 0;
    let reported!: () => void;
    const failed = new Promise<void>((resolve) => (reported = resolve));
    const subscription = new KurrentSubscription(
      fake as unknown as AllStreamSubscription,
      {
        fromPosition: 0,
        onError: (error) => {
          errors.push(error);
          reported();
        },
      },
      () => {
        calls += 1;
        throw new Error('projection broke');
      },
    );
    fake.write(resolved(1));
    fake.write(resolved(2));
    await failed;
    fake.emit('error', new Error('and the stream too'));
    let rejection: unknown;
    await subscription.caughtUp.catch((error: unknown) => (rejection = error));
    expect((rejection as Error).message).to.equal('projection broke');
    expect(errors.map((e) => e.message)).to.deep.equal(['projection broke']);
    expect(calls).to.equal(1);
    expect(fake.unsubscribed).to.equal(true);
  });
});
