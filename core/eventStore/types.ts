/**
 * The event store port. Every adapter (embedded SQLite, KurrentDB) implements `EventStore`
 * and passes the same contract suite (`test/contracts/eventStore.contract.ts`).
 *
 * Positions and revisions are plain numbers: stream revisions start at 0, global positions are
 * strictly increasing (not necessarily contiguous) and > 0, so 0 means "before everything".
 */

/** What the caller expects the stream to look like before the append. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface EventMetadata {
  tenantId?: string;
  correlationId?: string;
  causationId?: string;
  /** Who caused the event: a client id, a user id, `system`. */
  actor?: string;
  /** Version of the event's data shape; 1 unless the event was upcast. */
  schemaVersion: number;
  [key: string]: unknown;
}

/** An event as the command side hands it to the store. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A UUID; generated when absent. */
  id?: string;
  type: Type;
  data: Data;
  metadata?: Partial<EventMetadata>;
}

/** An event as it was recorded. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  streamName: string;
  revision: number;
  globalPosition: number;
  recordedAt: Date;
}

export interface AppendOptions {
  /** Defaults to `'any'`. */
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** The revision of the last event written; pass it as `expectedRevision` to append after it. */
  nextExpectedRevision: number;
  /** Global position of the last event written. */
  position: number;
}

export interface ReadStreamOptions {
  /** Inclusive. Defaults to 0 forwards, to the last revision backwards. */
  fromRevision?: number;
  maxCount?: number;
  direction?: 'forwards' | 'backwards';
}

export interface EventFilter {
  /** Keep events whose stream name starts with one of these. */
  streamPrefixes?: readonly string[];
  /** Keep events of one of these types. */
  eventTypes?: readonly string[];
  /** Keep events recorded at or after this moment. */
  recordedFrom?: Date;
  /** Keep events recorded strictly before this moment. */
  recordedBefore?: Date;
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. Defaults to 0 (from the start). */
  fromPosition?: number;
  filter?: EventFilter;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: the last position already processed. Defaults to 0. */
  fromPosition?: number;
  filter?: EventFilter;
  /** Called once if the handler throws or the store fails; the subscription is then closed. */
  onError?: (error: Error) => void;
}

export type EventHandler = (event: RecordedEvent) => void | Promise<void>;

export interface Subscription {
  /** Resolves once every event that existed when the subscription started has been handled. */
  readonly caughtUp: Promise<void>;
  /** The position of the last event handled (the checkpoint to resume from). */
  readonly position: number;
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** A missing stream reads as an empty array. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events in global order, filtered, as an async iterable (paged internally: memory stays flat). */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * Optional, for rebuilds: the events of these types after `position`, at most `limit`, in global
   * order. Synchronous, so a rebuild reads and applies a batch inside one read-model transaction with
   * nothing in between. Their `metadata` is parsed on first use (most projections never read it).
   */
  readReplayPage?(position: number, eventTypes: readonly string[], limit: number): RecordedEvent[];
  /** Catch up from the checkpoint, then stay live. The handler is called one event at a time, in order. */
  subscribe(options: SubscribeOptions, handler: EventHandler): Subscription;
  /** The global position of the newest (non-system) event, 0 when the store is empty. */
  lastPosition(): Promise<number>;
  /**
   * Optional: the stream's last revision (-1 when it does not exist), cheaper than reading it. When an
   * adapter has it, command-side state is cached and re-read only when the stream has moved.
   */
  streamRevision?(stream: string): Promise<number>;
  /** Throws when the store cannot be reached (for `/readyz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
