import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { ConcurrencyError } from './concurrencyError.js';
import { satisfies } from './expectedRevision.js';
import { chainMetadata, chainOf } from './hashChain.js';
import { matchesFilter } from './eventFilter.js';
import { KurrentSubscription } from './kurrentSubscription.js';
import {
  isSystemEvent,
  normalizeConnectionString,
  toActualRevision,
  toEventData,
  toGlobalPosition,
  toReadPosition,
  toRecordedEvent,
  toServerFilter,
  toStreamState,
} from './kurrentMapping.js';
import type {
  AppendOptions,
  AppendResult,
  EventHandler,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './types.js';

/** Events per $all read. Bounds memory (the client cannot cancel a read early) and server work per call. */
const READ_ALL_PAGE_SIZE = 500;
/** Re-reads of the stream head when an `'any'` append loses the race for the chain's next link. */
const MAX_CHAIN_ATTEMPTS = 50;

/**
 * The event store on a KurrentDB (or EventStoreDB 22.6+) node or cluster, over gRPC.
 * Global positions are the events' prepare positions: see `kurrentMapping.ts`.
 */
export class KurrentEventStore implements EventStore {
  private constructor(private readonly client: KurrentDBClient) {}

  /** `kurrentdb://`, `kurrentdb+discover://`, `esdb://` or `esdb+discover://` connection strings. */
  static connect(connectionString: string): KurrentEventStore {
    return new KurrentEventStore(KurrentDBClient.connectionString(normalizeConnectionString(connectionString)));
  }

  /**
   * Appends with the hash chain (`hashChain.ts`): reads the stream's last event for its revision and
   * hash, chains the new events onto it, and appends with that exact revision as the expected one, so
   * the server refuses the write if anyone appended in between. When the caller asked for `'any'` or
   * `'stream_exists'` such a conflict is ours, not theirs: we re-read and retry (bounded). A caller's
   * exact revision or `'no_stream'` is checked against what we read and reported as theirs.
   */
  async appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new TypeError(`appendToStream(${stream}): no events to append`);
    const expected = options.expectedRevision ?? 'any';
    for (let attempt = 1; ; attempt++) {
      const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
      const current = last?.revision ?? -1;
      if (!satisfies(expected, current)) throw new ConcurrencyError(stream, expected, current);
      let prev = last ? (chainOf(last.metadata)?.hash ?? null) : null;
      const data = events.map((event) => {
        const chained = chainMetadata(prev, event.type, event.data ?? null, event.metadata);
        prev = chained.hash;
        return toEventData(event, chained.metadata);
      });
      try {
        return await this.appendExactly(stream, data, current);
      } catch (error) {
        const ours = expected === 'any' || expected === 'stream_exists';
        if (!(error instanceof ConcurrencyError) || !ours || attempt >= MAX_CHAIN_ATTEMPTS) {
          throw error instanceof ConcurrencyError ? new ConcurrencyError(stream, expected, error.actual) : error;
        }
      }
    }
  }

  private async appendExactly(stream: string, data: ReturnType<typeof toEventData>[], current: number): Promise<AppendResult> {
    const expected = current === -1 ? 'no_stream' : current;
    let result;
    try {
      result = await this.client.appendToStream(stream, data, { streamState: toStreamState(expected) });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new ConcurrencyError(stream, expected, toActualRevision(error.actualState));
      }
      throw error;
    }
    // With `throwOnAppendFailure=false` in the connection string the client reports conflicts this way.
    if (!result.success) throw new ConcurrencyError(stream, expected, Number(result.nextExpectedRevision));
    if (!result.position) throw new Error(`KurrentDB did not report a position for the append to ${stream}`);
    return {
      nextExpectedRevision: Number(result.nextExpectedRevision),
      // The server puts the log position of the append's last record in `commit` (its `prepare` is at
      // best the same number, and the first record's position on some versions). For an event written
      // through gRPC that log position is what reads report as its prepare, i.e. our global position.
      position: Number(result.position.commit),
    };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { fromRevision, maxCount, direction = 'forwards' } = options;
    if (maxCount !== undefined && maxCount <= 0) return [];
    const backwards = direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: fromRevision === undefined ? (backwards ? END : START) : BigInt(fromRevision),
        ...(maxCount === undefined ? {} : { maxCount }),
      })) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const { filter, maxCount = Number.POSITIVE_INFINITY } = options;
    if (maxCount <= 0) return;
    const serverFilter = toServerFilter(filter);
    let after = options.fromPosition ?? 0;
    let yielded = 0;
    for (;;) {
      // A read from a position includes the event at that position, hence `> after` below.
      let progressed = false;
      for await (const resolved of this.client.readAll({
        fromPosition: toReadPosition(after),
        direction: FORWARDS,
        // +1: the page starts with the event at `after`, already seen.
        maxCount: Math.min(READ_ALL_PAGE_SIZE, maxCount - yielded + 1),
        filter: serverFilter,
      })) {
        const raw = resolved.event;
        if (!raw || toGlobalPosition(raw.position) <= after) continue;
        progressed = true;
        after = toGlobalPosition(raw.position);
        if (isSystemEvent(raw.streamId, raw.type)) continue;
        const event = toRecordedEvent(raw);
        if (!matchesFilter(event, filter)) continue;
        yield event;
        if (++yielded >= maxCount) return;
      }
      // An empty page (not a short one) ends the read: a filtered page may legitimately come back short.
      if (!progressed) return;
    }
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): Subscription {
    const fromPosition = options.fromPosition ?? 0;
    const stream = this.client.subscribeToAll({
      fromPosition: toReadPosition(fromPosition),
      filter: toServerFilter(options.filter),
    });
    return new KurrentSubscription(stream, { ...options, fromPosition }, handler);
  }

  async lastPosition(): Promise<number> {
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: toServerFilter(undefined) })) {
      if (resolved.event) return toGlobalPosition(resolved.event.position);
    }
    return 0;
  }

  /** Reads the last event of $all: fails fast when the server is unreachable or the user may not read $all. */
  async ping(): Promise<void> {
    for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
