import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { outcomeError } from './appendOutcome.js';
import { chainOf } from './hashChain.js';
import { clientConfig, parsePostgresUrl, storeError, type PostgresSettings } from './postgresConnection.js';
import { PostgresNotifier } from './postgresNotifier.js';
import { postgresFilter } from './postgresQueries.js';
import { migrate } from './postgresSchema.js';
import { PostgresSubscription } from './postgresSubscription.js';
import { PostgresWriter, type PostgresAppend } from './postgresWriter.js';
import type {
  AppendOptions,
  AppendResult,
  EventFilter,
  EventHandler,
  EventMetadata,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './types.js';

interface PendingAppend extends PostgresAppend {
  resolve: (result: AppendResult) => void;
  reject: (error: Error) => void;
}

interface EventRow {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

export interface PostgresEventStoreOptions {
  /** Source of `recordedAt`; tests inject one. */
  now?: () => Date;
  /** How often live subscriptions look for new events when no NOTIFY came (a lost LISTEN connection). */
  pollIntervalMs?: number;
}

const PAGE_SIZE = 500;
const MAX_APPENDS_PER_COMMIT = 2048;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The event store on PostgreSQL (`postgres://` or `postgresql://`). The tables live in their own
 * schema, created and migrated on first use (`postgresSchema.ts`). Appends are group-committed by
 * one writer connection (`postgresWriter.ts`); reads go through a small pool; live subscriptions wake
 * on LISTEN/NOTIFY and poll as a fallback. When the database goes away every call fails fast with
 * `StoreUnavailableError` (bounded by the connect and query timeouts), and the store recovers by
 * itself when it comes back: new connections are opened on demand, subscriptions resume from their
 * checkpoints.
 */
export class PostgresEventStore implements EventStore {
  private readonly settings: PostgresSettings;
  private readonly pool: pg.Pool;
  private readonly writer: PostgresWriter;
  private readonly notifier: PostgresNotifier;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private readonly table: string;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private migrated: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(url: string, options: PostgresEventStoreOptions = {}) {
    this.settings = parsePostgresUrl(url);
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.table = `${pg.escapeIdentifier(this.settings.schema)}.events`;
    this.pool = new pg.Pool({ ...clientConfig(this.settings), max: this.settings.poolMax, idleTimeoutMillis: 30_000 });
    // an idle connection that dies (the database restarted) is dropped by the pool; no crash
    this.pool.on('error', () => undefined);
    this.writer = new PostgresWriter(this.settings);
    this.notifier = new PostgresNotifier(this.settings);
  }

  /** Opens the store and makes sure its schema is in place (fails when the database cannot be reached). */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(url, options);
    try {
      await store.ready();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** The schema, created or migrated once per store; retried on the next call after a failure. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    this.migrated ??= this.withClient('migrate', (client) => migrate(client, this.settings.schema)).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new Error('event store is closed'));
    if (!stream) return Promise.reject(new TypeError('stream name must not be empty'));
    if (events.length === 0) return Promise.reject(new TypeError('appendToStream needs at least one event'));
    const ids = events.map((event) => event.id ?? randomUUID());
    const bad = ids.find((id) => !UUID.test(id));
    if (bad !== undefined) return Promise.reject(new TypeError(`event id "${bad}" is not a UUID`));
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, ids, expected: options.expectedRevision ?? 'any', recordedAt: this.now(), resolve, reject });
      this.schedulePump();
    });
  }

  /**
   * After this turn's I/O callbacks: the appends of every request handled in this turn share a commit,
   * and those queued while a commit is on its way go together into the next one.
   */
  private schedulePump(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.drain();
    });
  }

  /** One flush at a time; it runs until the queue is empty. */
  private drain(): Promise<void> {
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_APPENDS_PER_COMMIT);
      let outcomes;
      try {
        await this.ready();
        outcomes = await this.writer.writeBatch(batch);
      } catch (error) {
        const failure = storeError(error, 'append');
        for (const pending of batch) pending.reject(failure);
        continue;
      }
      batch.forEach((pending, index) => {
        const outcome = outcomes[index]!;
        if (outcome.ok) pending.resolve(outcome.result);
        else pending.reject(outcomeError(outcome));
      });
      // this process's subscriptions need not wait for the NOTIFY round trip
      for (const subscription of this.subscriptions) subscription.wake();
    }
  }

  async streamRevision(stream: string): Promise<number> {
    const rows = await this.query<{ revision: number | null }>(
      'stream revision',
      `SELECT max(revision) AS revision FROM ${this.table} WHERE stream = $1`,
      [stream],
    );
    return rows[0]?.revision ?? -1;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 2 ** 31 - 1 : 0);
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const rows = await this.query<EventRow>(
      'read stream',
      `SELECT ${COLUMNS} FROM ${this.table} WHERE stream = $1 AND revision ${backwards ? '<=' : '>='} $2
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [stream, Math.min(from, 2 ** 31 - 1), options.maxCount ?? null],
    );
    const events = rows.map(toRecordedEvent);
    const newest = backwards ? events[0] : events[events.length - 1];
    // a read that reached the stream's head seeds the writer's head cache (checked at the next append)
    if (newest && (backwards ? options.fromRevision === undefined : options.maxCount === undefined)) {
      this.writer.noteHead(stream, { revision: newest.revision, hash: chainOf(newest.metadata)?.hash ?? null });
    }
    return events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let position = options.fromPosition ?? 0;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const page = await this.readPage(position, options.filter, Math.min(PAGE_SIZE, remaining));
      yield* page;
      if (page.length < Math.min(PAGE_SIZE, remaining)) return;
      remaining -= page.length;
      position = page[page.length - 1]!.globalPosition;
    }
  }

  /** One page of events after `position` (and at most `upTo`), in global order. */
  async readPage(
    position: number,
    filter: EventFilter | undefined,
    limit: number,
    upTo = Number.MAX_SAFE_INTEGER,
  ): Promise<RecordedEvent[]> {
    const where = postgresFilter(filter, 4);
    const rows = await this.query<EventRow>(
      'read events',
      `SELECT ${COLUMNS} FROM ${this.table} WHERE position > $1 AND position <= $2${where.sql} ORDER BY position LIMIT $3`,
      [position, upTo, limit, ...where.params],
    );
    return rows.map(toRecordedEvent);
  }

  async lastPosition(): Promise<number> {
    const rows = await this.query<{ position: number }>(
      'last position',
      `SELECT coalesce(max(position), 0) AS position FROM ${this.table}`,
    );
    return rows[0]!.position;
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): Subscription {
    if (this.closing) throw new Error('event store is closed');
    const source = {
      readPage: (position: number, filter: EventFilter | undefined, limit: number, upTo: number) =>
        this.readPage(position, filter, limit, upTo),
      lastPosition: () => this.lastPosition(),
      listen: (wake: () => void) => this.notifier.listen(wake),
    };
    const subscription = new PostgresSubscription(source, options, handler, this.pollIntervalMs, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async ping(): Promise<void> {
    if (this.closing) throw new Error('event store is closed');
    await this.query('ping', 'SELECT 1');
  }

  /** Closes open subscriptions silently, commits every append accepted before, then the connections. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.drain();
      this.closed = true;
      await Promise.all([this.writer.close(), this.notifier.close(), this.pool.end().catch(() => undefined)]);
    })();
    return this.closing;
  }

  private async query<Row extends object>(doing: string, text: string, values?: unknown[]): Promise<Row[]> {
    if (this.closed) throw new Error('event store is closed');
    await this.ready();
    try {
      return (await this.pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw storeError(error, doing);
    }
  }

  private async withClient<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error, doing);
    }
    try {
      return await work(client);
    } catch (error) {
      throw storeError(error, doing);
    } finally {
      client.release();
    }
  }
}

const COLUMNS = 'position, id::text, stream, revision, type, data, metadata, recorded_at';

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamName: row.stream,
    revision: row.revision,
    globalPosition: row.position,
    recordedAt: row.recorded_at,
  };
}
