import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type EventData,
  type Filter,
  type Position,
} from '@kurrent/kurrentdb-client';
import type { START } from '@kurrent/kurrentdb-client';
import type { KurrentClient } from '../../core/eventStore/kurrentEventStore.js';

interface StoredEvent {
  streamId: string;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  revision: bigint;
  position: bigint;
  created: Date;
}

/**
 * A model of the KurrentDB client and the server behind it, for the adapter's unit tests where no
 * server can run: one log in memory, the server's expected-revision check and its idempotency for exact
 * revisions, $all reads and subscriptions with server-side filters, positions as sparse byte offsets,
 * and the client's habits that matter to us (`dispose` cancels subscriptions, a channel stays open).
 * It answers on a later turn of the event loop, as a network would, so concurrent calls interleave.
 * It is a model, not KurrentDB: the contract suite also runs against a real server when
 * `OTPLEDGER_TEST_KURRENTDB` is set.
 */
export class KurrentModel {
  readonly log: StoredEvent[] = [];
  /** Each stream's last revision, which survives its events being truncated or soft-deleted. */
  private readonly revisions = new Map<string, bigint>();
  private readonly hiddenBefore = new Map<string, bigint>();
  private readonly live = new Set<{ stream: PassThrough; filter: Filter | undefined; after: bigint; caughtUp: boolean }>();
  private nextPosition = 1000n;
  readonly calls = { appends: 0, readStream: 0, leaderReads: 0 };
  /** The next append is written, but its answer is lost (a deadline exceeded after the write). */
  loseNextAnswer = false;
  channelClosed = false;
  disposed = false;

  /** Two stores on one model are two processes on one server. */
  client(): KurrentClient {
    return this as unknown as KurrentClient;
  }

  /** Writes an event as the server does for itself (`$projections-…`, `$stats-…`). */
  systemEvent(streamId: string, type: string): void {
    this.write(streamId, [{ id: randomUUID(), type, contentType: 'application/json', data: {}, metadata: {} } as EventData]);
  }

  /** `$tb` (truncate before) or a soft delete: the events go from reads, the revision stays. */
  hideStream(streamId: string): void {
    this.hiddenBefore.set(streamId, (this.revisions.get(streamId) ?? -1n) + 1n);
  }

  async appendToStream(streamId: string, events: EventData | EventData[], options: { streamState?: AppendStreamState } = {}) {
    await tick();
    this.calls.appends += 1;
    const list = Array.isArray(events) ? events : [events];
    const state = options.streamState ?? ANY;
    const current = this.revisions.get(streamId) ?? -1n;
    const expected = state === NO_STREAM ? -1n : typeof state === 'bigint' ? state : undefined;
    if (expected !== undefined && expected < current) {
      // the server's idempotency: the same ids right after the expected revision are the same write
      const stored = this.log.filter(
        (event) => event.streamId === streamId && event.revision > expected && event.revision <= expected + BigInt(list.length),
      );
      if (stored.length === list.length && stored.every((event, index) => event.id === list[index]!.id)) {
        const last = stored[stored.length - 1]!;
        return { success: true, nextExpectedRevision: last.revision, position: { commit: last.position, prepare: last.position } };
      }
    }
    const ok = state === ANY || (state === STREAM_EXISTS && current >= 0n) || expected === current;
    if (!ok)
      throw new WrongExpectedVersionError(undefined, {
        streamName: streamId,
        current: current === -1n ? 'no_stream' : current,
        expected: state as never,
      });
    const last = this.write(streamId, list);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new DeadlineExceededError(undefined, 'deadline exceeded');
    }
    return { success: true, nextExpectedRevision: last.revision, position: { commit: last.position, prepare: last.position } };
  }

  readStream(
    streamId: string,
    options: {
      direction?: string;
      fromRevision?: bigint | typeof START | typeof END;
      maxCount?: number | bigint;
      requiresLeader?: boolean;
    } = {},
  ) {
    this.calls.readStream += 1;
    if (options.requiresLeader) this.calls.leaderReads += 1;
    return this.streamEvents(streamId, options);
  }

  private async *streamEvents(
    streamId: string,
    options: { direction?: string; fromRevision?: bigint | typeof START | typeof END; maxCount?: number | bigint },
  ) {
    await tick();
    const hidden = this.hiddenBefore.get(streamId) ?? 0n;
    let events = this.log.filter((event) => event.streamId === streamId && event.revision >= hidden);
    if (events.length === 0) throw new StreamNotFoundError(undefined, streamId);
    const backwards = options.direction === BACKWARDS;
    const from = options.fromRevision;
    if (typeof from === 'bigint') events = events.filter((event) => (backwards ? event.revision <= from : event.revision >= from));
    if (backwards) events = [...events].reverse();
    for (const event of events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event: this.resolved(event) };
  }

  readAll(
    options: { fromPosition?: Position | typeof START | typeof END; direction?: string; maxCount?: number | bigint; filter?: Filter } = {},
  ) {
    return this.allEvents(options);
  }

  private async *allEvents(options: {
    fromPosition?: Position | typeof START | typeof END;
    direction?: string;
    maxCount?: number | bigint;
    filter?: Filter;
  }) {
    await tick();
    const backwards = options.direction === BACKWARDS;
    const from = options.fromPosition;
    let events = this.log.filter((event) => matches(options.filter, event));
    if (from && typeof from === 'object')
      events = events.filter((event) => (backwards ? event.position < from.prepare : event.position >= from.prepare));
    if (backwards) events = [...events].reverse();
    for (const event of events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event: this.resolved(event) };
  }

  subscribeToAll(options: { fromPosition?: Position | typeof START | typeof END; filter?: Filter } = {}) {
    const stream = new PassThrough({ objectMode: true });
    const from = options.fromPosition;
    const after = from && typeof from === 'object' ? from.prepare : from === END ? this.nextPosition : -1n;
    const entry = { stream, filter: options.filter, after, caughtUp: false };
    Object.assign(stream, { unsubscribe: async () => void stream.end() });
    setImmediate(() => {
      for (const event of this.log)
        if (event.position > after && matches(entry.filter, event))
          stream.write({ event: this.resolved(event) } satisfies AllStreamResolvedEvent);
      stream.emit('caughtUp', {});
      entry.caughtUp = true;
      this.live.add(entry);
    });
    stream.on('close', () => this.live.delete(entry));
    return stream as never;
  }

  /** As the real client: cancels every open call, leaves the channel open. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const entry of this.live) entry.stream.destroy(new CancelledError(undefined, 'cancelled'));
    this.live.clear();
  }

  async getChannel(): Promise<{ close(): void }> {
    return { close: () => void (this.channelClosed = true) };
  }

  private write(streamId: string, events: readonly EventData[]): StoredEvent {
    let revision = this.revisions.get(streamId) ?? -1n;
    let last: StoredEvent | undefined;
    for (const data of events) {
      revision += 1n;
      // byte offsets in a log: increasing, not contiguous
      this.nextPosition += 137n;
      last = {
        streamId,
        id: data.id ?? randomUUID(),
        type: data.type,
        data: data.data,
        metadata: data.metadata,
        revision,
        position: this.nextPosition,
        created: new Date(),
      };
      this.log.push(last);
      for (const entry of this.live) if (matches(entry.filter, last)) entry.stream.write({ event: this.resolved(last) });
    }
    this.revisions.set(streamId, revision);
    return last!;
  }

  private resolved(event: StoredEvent) {
    return {
      streamId: event.streamId,
      id: event.id,
      type: event.type,
      revision: event.revision,
      isJson: true,
      data: structuredClone(event.data),
      metadata: structuredClone(event.metadata),
      created: event.created,
      position: { commit: event.position, prepare: event.position },
    } as never;
  }
}

function matches(filter: Filter | undefined, event: StoredEvent): boolean {
  if (!filter) return true;
  const value = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter && filter.prefixes) return filter.prefixes.some((prefix) => value.startsWith(prefix));
  if ('regex' in filter && filter.regex) return new RegExp(filter.regex).test(value);
  return true;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
