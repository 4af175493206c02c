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

  async appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new TypeError(`appendToStream(${stream}): no events to append`);
    const expected = options.expectedRevision ?? 'any';
    let result;
    try {
      result = await this.client.appendToStream(stream, events.map(toEventData), { streamState: toStreamState(expected) });
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

  /** Reads the last event of $all: fails fast when the server is unreachable or the user may not read $all. */
  async ping(): Promise<void> {
    for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
