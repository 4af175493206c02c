import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, FORWARDS, KurrentDBClient, START, StreamNotFoundError } from '@kurrent/kurrentdb-client';
import { matchesFilter } from './eventFilter.js';
import { KurrentAppender } from './kurrentAppender.js';
import { KurrentSubscription } from './kurrentSubscription.js';
import {
  isSystemEvent,
  kurrentError,
  matchesNothing,
  normalizeConnectionString,
  toGlobalPosition,
  toReadPosition,
  toRecordedEvent,
  toServerFilter,
  userStreamsFilter,
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
/** Events per backwards page when `lastPosition` looks past trailing system events. */
const LAST_POSITION_PAGE_SIZE = 50;

/** The part of the client the store uses (a model of it stands in for a server in unit tests). */
export type KurrentClient = Pick<KurrentDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

/**
 * The event store on a KurrentDB (or EventStoreDB 23.10+) node or cluster, over gRPC.
 * Global positions are the events' prepare positions: see `kurrentMapping.ts`. Appends go through
 * `KurrentAppender` (per-stream queues, one head read from the leader and one server append per batch).
 */
export class KurrentEventStore implements EventStore {
  private client: KurrentClient | undefined;
  private readonly appender: KurrentAppender;
  private readonly subscriptions = new Set<KurrentSubscription>();
  /** Whether a call ever went out: only then is there a channel to close. */
  private used = false;
  private closing: Promise<void> | undefined;

  constructor(client: KurrentClient) {
    this.client = client;
    this.appender = new KurrentAppender(() => this.open());
  }

  /** `kurrentdb://`, `kurrentdb+discover://`, `kurrent://`, `kdb://` or `esdb://` (any case) connection strings. */
  static connect(connectionString: string): KurrentEventStore {
    return new KurrentEventStore(KurrentDBClient.connectionString(normalizeConnectionString(connectionString)));
  }

  appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new Error('event store is closed'));
    if (!stream) return Promise.reject(new TypeError('stream name must not be empty'));
    if (events.length === 0) return Promise.reject(new TypeError(`appendToStream(${stream}): no events to append`));
    return new Promise((resolve, reject) => {
      this.appender.append({
        stream,
        events,
        // fixed now, so a retry after a timeout carries the same ones (the server deduplicates them)
        ids: events.map((event) => event.id ?? randomUUID()),
        callerIds: events.some((event) => event.id !== undefined),
        expected: options.expectedRevision ?? 'any',
        resolve,
        reject,
      });
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { fromRevision, maxCount, direction = 'forwards' } = options;
    if (maxCount !== undefined && maxCount <= 0) return [];
    const backwards = direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.open().readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: fromRevision === undefined ? (backwards ? END : START) : BigInt(fromRevision),
        ...(maxCount === undefined ? {} : { maxCount }),
      })) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw kurrentError(error, 'read stream');
    }
    return events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const { filter, maxCount = Number.POSITIVE_INFINITY } = options;
    if (maxCount <= 0 || matchesNothing(filter)) return;
    const serverFilter = toServerFilter(filter);
    let after = options.fromPosition ?? 0;
    let yielded = 0;
    for (;;) {
      // A read from a position includes the event at that position, hence `> after` below.
      let progressed = false;
      try {
        for await (const resolved of this.open().readAll({
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
      } catch (error) {
        throw kurrentError(error, 'read $all');
      }
      // An empty page (not a short one) ends the read: a filtered page may legitimately come back short.
      if (!progressed) return;
    }
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): Subscription {
    if (this.closing) throw new Error('event store is closed');
    const fromPosition = options.fromPosition ?? 0;
    const stream = this.open().subscribeToAll({
      fromPosition: toReadPosition(fromPosition),
      filter: toServerFilter(options.filter),
    });
    const subscription = new KurrentSubscription(stream, { ...options, fromPosition }, handler, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * The newest event a subscription would deliver: `$` streams are left out on the server, `$` types
   * here, the same two rules delivery applies (a trailing system event in a `$projections-…` stream
   * would otherwise be a position no subscription reaches, and `catchUp` would wait for it forever).
   */
  async lastPosition(): Promise<number> {
    let before: number | undefined;
    try {
      for (;;) {
        let read = 0;
        for await (const resolved of this.open().readAll({
          direction: BACKWARDS,
          fromPosition: before === undefined ? END : toReadPosition(before),
          maxCount: LAST_POSITION_PAGE_SIZE,
          filter: userStreamsFilter(),
        })) {
          const raw = resolved.event;
          if (!raw) continue;
          const position = toGlobalPosition(raw.position);
          if (before !== undefined && position >= before) continue;
          read += 1;
          before = position;
          if (!isSystemEvent(raw.streamId, raw.type)) return position;
        }
        if (read === 0) return 0;
      }
    } catch (error) {
      throw kurrentError(error, 'last position');
    }
  }

  /** Reads the last event of $all: fails fast when the server is unreachable or the user may not read $all. */
  async ping(): Promise<void> {
    try {
      for await (const _ of this.open().readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
    } catch (error) {
      throw kurrentError(error, 'ping');
    }
  }

  /**
   * Commits nothing new: appends already queued get their outcome, open subscriptions are closed
   * silently (as on every store), then the client's calls, its gRPC channel and our reference to it
   * (the native bridge is freed with it) go.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.appender.idle();
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      const client = this.client;
      this.client = undefined;
      if (!client) return;
      await client.dispose();
      if (this.used) await closeChannel(client);
    })();
    return this.closing;
  }

  /** The client, until `close` has finished (appends accepted before it still reach the server). */
  private open(): KurrentClient {
    if (!this.client) throw new Error('event store is closed');
    this.used = true;
    return this.client;
  }
}

/** The client keeps its gRPC channel open after `dispose()`; it exposes it only through an internal method. */
async function closeChannel(client: KurrentClient): Promise<void> {
  const internal = client as unknown as { getChannel?: () => Promise<{ close(): void } | undefined> };
  try {
    (await internal.getChannel?.())?.close();
  } catch {
    // never connected (no node answered): nothing to close
  }
}
