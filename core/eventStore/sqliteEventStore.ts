import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConcurrencyError } from './concurrencyError.js';
import { chainMetadata } from './hashChain.js';
import { migrate } from './sqliteMigrations.js';
import { eventColumns, filterSql, toRecordedEvent, type EventRow } from './sqliteQueries.js';
import { SqliteSubscription } from './sqliteSubscription.js';
import type {
  AppendOptions, AppendResult, EventFilter, EventHandler, EventStore, ExpectedRevision, NewEvent,
  ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription,
} from './types.js';

interface PendingAppend {
  stream: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: Error) => void;
}

export interface SqliteEventStoreOptions {
  /** Source of `recordedAt`; tests inject one. */
  now?: () => Date;
  /** How often live subscriptions look for events written by other processes. */
  pollIntervalMs?: number;
}

const PAGE_SIZE = 512;
const MAX_APPENDS_PER_COMMIT = 2048;

/**
 * The embedded event store: one SQLite file in WAL mode with `synchronous=FULL`, so an append
 * that resolved survives a power cut.
 *
 * Group commit: `appendToStream` only queues; one flush per event-loop turn writes every queued
 * append in one immediate transaction (one fsync), each append in its own savepoint and checked
 * against its own expected revision, so a conflict fails that append alone. Appends that arrive
 * while a commit runs wait for the next flush and share its transaction.
 */
export class SqliteEventStore implements EventStore {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private readonly statementCache = new Map<string, Statement>();
  private readonly statements: {
    lastEvent: Statement<[string], { revision: number; hash: string | null }>;
    insert: Statement;
    head: Statement<[], { position: number | null }>;
  };

  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return new SqliteEventStore(new Database(file, { timeout: 10_000 }), options);
  }

  private constructor(private readonly db: SqliteDatabase, options: SqliteEventStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
    this.statements = {
      // the stream's head and its chain hash in one index probe, inside the append's savepoint
      lastEvent: db.prepare(
        "SELECT revision, json_extract(metadata, '$.chain.hash') AS hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1",
      ),
      insert: db.prepare(
        'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      head: db.prepare('SELECT MAX(position) AS position FROM events'),
    };
  }

  appendToStream(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    if (!stream) return Promise.reject(new TypeError('stream name must not be empty'));
    if (events.length === 0) return Promise.reject(new TypeError('appendToStream needs at least one event'));
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, expected: options.expectedRevision ?? 'any', resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, MAX_APPENDS_PER_COMMIT);
    if (this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (batch.length === 0) return;
    const outcomes: (AppendResult | Error)[] = [];
    const appendOne = this.db.transaction((pending: PendingAppend) => this.write(pending));
    try {
      this.db.transaction(() => {
        outcomes.length = 0;
        for (const pending of batch) {
          try {
            outcomes.push(appendOne(pending));
          } catch (error) {
            outcomes.push(this.toAppendError(pending, error));
          }
        }
      }).immediate();
    } catch (error) {
      for (const pending of batch) pending.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if (outcome instanceof Error) pending.reject(outcome);
      else pending.resolve(outcome);
    });
    for (const subscription of this.subscriptions) subscription.wake();
  }

  /**
   * Runs inside a savepoint: checks the expected revision, then writes the events, each chained to the
   * one before it (`hashChain.ts`). The previous hash is read in the same savepoint as the revision, so
   * appends grouped into one commit chain onto each other, and a rolled-back append leaves nothing behind.
   */
  private write({ stream, events, expected }: PendingAppend): AppendResult {
    const last = this.statements.lastEvent.get(stream);
    const current = last?.revision ?? -1;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      expected === current;
    if (!ok) throw new ConcurrencyError(stream, expected, current);
    const recordedAt = this.now().getTime();
    let revision = current;
    let position = 0;
    let prev = last?.hash ?? null;
    for (const event of events) {
      revision += 1;
      const data = event.data ?? null;
      const chained = chainMetadata(prev, event.type, data, event.metadata);
      prev = chained.hash;
      const info = this.statements.insert.run(
        event.id ?? randomUUID(), stream, revision, event.type,
        JSON.stringify(data), JSON.stringify(chained.metadata), recordedAt,
      );
      position = Number(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  private toAppendError(pending: PendingAppend, error: unknown): Error {
    if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
        error.message.includes('events.stream')) {
      // another process won this revision between our check and our insert
      return new ConcurrencyError(pending.stream, pending.expected, undefined);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const rows = this.prepare(
        `SELECT ${eventColumns} FROM events WHERE stream = ? AND revision ${backwards ? '<=' : '>='} ?
         ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT ?`,
      )
      .all(stream, from, options.maxCount ?? -1) as EventRow[];
    return rows.map(toRecordedEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let position = options.fromPosition ?? 0;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const page = this.readPage(position, options.filter, Math.min(PAGE_SIZE, remaining));
      for (const event of page) yield event;
      if (page.length < PAGE_SIZE) return;
      remaining -= page.length;
      position = page[page.length - 1]!.globalPosition;
    }
  }

  /** One page of events after `position` (at most up to `upTo`), in global order. */
  readPage(position: number, filter: EventFilter | undefined, limit: number, upTo = Number.MAX_SAFE_INTEGER): RecordedEvent[] {
    const where = filterSql(filter);
    const rows = this.prepare(
        `SELECT ${eventColumns} FROM events WHERE position > ? AND position <= ?${where.sql} ORDER BY position LIMIT ?`,
      )
      .all(position, upTo, ...where.params, limit) as EventRow[];
    return rows.map(toRecordedEvent);
  }

  /** Statements are compiled once per distinct SQL text (the shapes are few: directions and filter kinds). */
  private prepare(sql: string): Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
    }
    return statement;
  }

  /** The global position of the newest event, 0 when the store is empty. */
  headPosition(): number {
    return this.statements.head.get()?.position ?? 0;
  }

  async lastPosition(): Promise<number> {
    return this.headPosition();
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): Subscription {
    if (this.closed) throw new Error('event store is closed');
    const subscription = new SqliteSubscription(this, options, handler, this.pollIntervalMs, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('event store is closed');
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    while (this.queue.length > 0) this.flush();
    this.db.close();
  }
}
