import pg from 'pg';
import { chainAppend, NO_STREAM_HEAD, type ChainedEvent, type StreamHead } from './appendChain.js';
import type { AppendOutcome } from './appendOutcome.js';
import { satisfies } from './expectedRevision.js';
import { replayedAppend, type StoredEvent } from './idempotentAppend.js';
import { clientConfig, isUnavailable, storeError, type PostgresSettings } from './postgresConnection.js';
import { lockKey, notifyChannel } from './postgresSchema.js';
import { BoundedCache } from '../support/boundedCache.js';
import type { ExpectedRevision, NewEvent } from './types.js';

/** One append as the writer commits it; its ids are fixed before the first attempt. */
export interface PostgresAppend {
  stream: string;
  events: readonly NewEvent[];
  ids: readonly string[];
  expected: ExpectedRevision;
  recordedAt: Date;
}

/** What one append of a batch is to write, or its outcome when it writes nothing. */
type Planned = { rows: ChainedEvent[]; outcome?: undefined } | { rows?: undefined; outcome: AppendOutcome };

/** A row as the insert reads it from one JSON array parameter (`json_to_recordset`). */
interface InsertRow {
  /** 1, 2, ...: the row's place in the batch, added to the last position. */
  ord: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/**
 * The write side of the PostgreSQL store: one pipelined connection that commits a batch of appends
 * (group commit) per transaction, so one WAL flush covers them all, each append checked against its
 * own expected revision.
 *
 * Global order without gaps: every append transaction first takes one advisory lock per store, and
 * gives positions after the highest one under it. Transactions that append therefore commit one
 * after another, in position order, and a transaction's rows are visible before the lock is released
 * (PostgreSQL ends the transaction in the proc array before it releases its locks): whoever sees
 * position n+1 also sees n. That serialises writers as SQLite's write lock does; group commit makes
 * each turn carry every append the process has queued.
 *
 * The hot path is one statement in its own transaction: `append_events` (`postgresSchema.ts`) takes
 * the lock, checks that the heads the batch was chained on (this writer's cache, or "no stream") are
 * still the streams' heads, inserts the rows and NOTIFYs. If another process moved one of those
 * streams, or an event id is already stored, nothing is written and the batch is planned again from
 * heads and ids read under the lock (two more round trips, one transaction).
 */
export class PostgresWriter {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  /** Each stream's head as this process last saw it: an assumption the hot path's INSERT checks. */
  private readonly heads = new BoundedCache<string, StreamHead>(50_000);
  private readonly lock: string;
  private readonly channel: string;
  private readonly append: string;
  private readonly insert: string;
  private readonly readHeads: string;
  private readonly readIds: string;
  private readonly readMax: string;

  constructor(private readonly settings: PostgresSettings) {
    const events = `${pg.escapeIdentifier(settings.schema)}.events`;
    this.lock = lockKey(settings.schema, 'append');
    this.channel = notifyChannel(settings.schema);
    // data and metadata travel as JSON text inside the JSON rows and are cast back: a json column read
    // out of json_to_recordset would be processed, and refuse the \u0000 escape that json storage keeps
    const rows = `json_to_recordset($1::json) AS r(ord bigint, id uuid, stream text, revision integer, type text, data text, metadata text, recorded_at timestamptz)`;
    // the hot path: one statement in its own transaction (migration 2 of `postgresSchema.ts`)
    this.append = `SELECT ${pg.escapeIdentifier(settings.schema)}.append_events($1::json, $2::text[], $3::integer[], $4::text[], $5::integer[], $6::uuid[], $7::bigint, $8::text) AS base`;
    this.insert = `
      INSERT INTO ${events} (position, id, stream, revision, type, data, metadata, recorded_at)
      SELECT $2::bigint + r.ord, r.id, r.stream, r.revision, r.type, r.data::json, r.metadata::json, r.recorded_at FROM ${rows}`;
    this.readHeads = `
      SELECT h.stream, e.revision, e.metadata->'chain'->>'hash' AS hash
      FROM unnest($1::text[]) AS h(stream)
      JOIN LATERAL (SELECT revision, metadata FROM ${events} WHERE stream = h.stream ORDER BY revision DESC LIMIT 1) e ON true`;
    this.readIds = `SELECT id::text, stream, revision, type, position FROM ${events} WHERE id = ANY($1::uuid[])`;
    this.readMax = `SELECT coalesce(max(position), 0) AS position FROM ${events}`;
  }

  /** Remembers a head seen by a read (only ever moving it forwards): the next append to it can take the hot path. */
  noteHead(stream: string, head: StreamHead): void {
    const known = this.heads.get(stream);
    if (!known || known.revision < head.revision) this.heads.set(stream, head);
  }

  /**
   * Commits the batch and gives each append its outcome. A lost connection is retried once on a new
   * one through the careful path, where appends already written (same ids) answer as written; a
   * database that stays away fails the batch with `StoreUnavailableError`.
   */
  async writeBatch(batch: readonly PostgresAppend[]): Promise<AppendOutcome[]> {
    try {
      return (await this.tryFast(batch)) ?? (await this.writeCarefully(batch));
    } catch (error) {
      this.heads.clear();
      if (!isUnavailable(error)) return failAll(batch, storeError(error, 'append'));
      this.drop();
      try {
        return await this.writeCarefully(batch);
      } catch (retryError) {
        this.drop();
        return failAll(batch, storeError(retryError, 'append'));
      }
    }
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.connecting = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * The hot path; undefined when the batch must be planned again from what the database holds.
   * `append_events` checks what the plan assumed: each head it chained on is there (a head above it
   * fails the insert on UNIQUE (stream, revision)), each stream it only checked (its appends all
   * conflicted) has nothing after the assumed head, and no id of a conflicting append is stored (that
   * append may be a retry, which the careful path answers as written).
   */
  private async tryFast(batch: readonly PostgresAppend[]): Promise<AppendOutcome[] | undefined> {
    const assumed = new Map<string, number>();
    const conflictIds: string[] = [];
    const planned = plan(
      batch,
      (stream) => {
        const head = this.heads.get(stream) ?? NO_STREAM_HEAD;
        assumed.set(stream, head.revision);
        return head;
      },
      (append) => conflictIds.push(...append.ids),
    );
    const rows = insertRows(batch, planned);
    // a retry queued beside the append it retries: only the careful path answers it as that append
    if (new Set([...rows.map((row) => row.id), ...conflictIds]).size < rows.length + conflictIds.length) return undefined;
    const written = new Set(rows.map((row) => row.stream));
    const heads: [string[], number[]] = [[], []];
    const checked: [string[], number[]] = [[], []];
    for (const [stream, revision] of assumed) {
      if (revision >= 0) {
        heads[0].push(stream);
        heads[1].push(revision);
      }
      if (!written.has(stream)) {
        checked[0].push(stream);
        checked[1].push(revision + 1);
      }
    }
    const client = await this.connection();
    let base: number | null;
    try {
      const result = await client.query({
        name: 'otpledger_append_events',
        text: this.append,
        values: [JSON.stringify(rows), ...heads, ...checked, conflictIds, this.lock, this.channel],
      });
      base = (result.rows[0] as { base: number | null }).base;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      base = null; // a stream moved on under a row of the batch (or an id is stored): nothing was written
    }
    if (base === null) {
      // another process moved one of these streams: forget what we assumed about them
      for (const stream of assumed.keys()) this.heads.delete(stream);
      return undefined;
    }
    return this.settle(batch, planned, base);
  }

  /** Under the lock: reads the batch's heads, the ids already stored and the last position, then writes. */
  private async writeCarefully(batch: readonly PostgresAppend[]): Promise<AppendOutcome[]> {
    const client = await this.connection();
    const streams = [...new Set(batch.map((append) => append.stream))];
    const ids = batch.flatMap((append) => append.ids);
    let committed = false;
    try {
      const [, , headRows, idRows, maxRows] = await pipeline(client, [
        ['BEGIN'],
        ['SELECT pg_advisory_xact_lock($1::bigint)', [this.lock]],
        [this.readHeads, [streams]],
        [this.readIds, [ids]],
        [this.readMax],
      ]);
      const heads = new Map<string, StreamHead>();
      for (const row of headRows!.rows as { stream: string; revision: number; hash: string | null }[])
        heads.set(row.stream, { revision: row.revision, hash: row.hash });
      const stored = new Map<string, StoredEvent>();
      for (const row of idRows!.rows as StoredEvent[]) stored.set(row.id, row);
      const base = (maxRows!.rows[0] as { position: number }).position;
      const planned = planCarefully(batch, heads, stored, base);
      const rows = insertRows(batch, planned);
      await pipeline(client, [
        ...(rows.length > 0 ? [[this.insert, [JSON.stringify(rows), base]] as const] : []),
        ['SELECT pg_notify($1, $2)', [this.channel, '']],
        ['COMMIT'],
      ]);
      committed = true;
      return this.settle(batch, planned, base);
    } finally {
      if (!committed && this.client === client) await client.query('ROLLBACK').catch(() => this.drop());
    }
  }

  /** After a commit: each append's result from the position its rows were given; the heads are remembered. */
  private settle(batch: readonly PostgresAppend[], planned: readonly Planned[], base: number): AppendOutcome[] {
    let position = base;
    return planned.map((item, index) => {
      if (item.outcome) return item.outcome;
      position += item.rows.length;
      const last = item.rows[item.rows.length - 1]!;
      this.heads.set(batch[index]!.stream, { revision: last.revision, hash: (last.metadata.chain as { hash: string }).hash });
      return { ok: true, result: { nextExpectedRevision: last.revision, position } };
    });
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = new pg.Client({ ...clientConfig(this.settings), pipeline: true } as pg.ClientConfig);
      // a connection lost while idle: the next batch opens a new one
      client.on('error', () => this.drop(client));
      client.on('end', () => this.drop(client));
      await client.connect();
      this.client = client;
      return client;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private drop(client = this.client): void {
    if (!client || client !== this.client) return;
    this.client = undefined;
    this.heads.clear();
    client.end().catch(() => undefined);
  }
}

/**
 * Lays out each append after the head it finds (`headOf` for a stream's first append in the batch,
 * then the head the batch's earlier appends left), checking its expected revision there.
 */
function plan(
  batch: readonly PostgresAppend[],
  headOf: (stream: string) => StreamHead,
  onConflict: (append: PostgresAppend) => void,
): Planned[] {
  const working = new Map<string, StreamHead>();
  return batch.map((append) => {
    const head = working.get(append.stream) ?? headOf(append.stream);
    if (!satisfies(append.expected, head.revision)) {
      // a retried append (its ids already stored) fails here too: the hot path checks that none is
      onConflict(append);
      return { outcome: conflict(append, head.revision) };
    }
    const chained = chainAppend(head, append.events, append.ids);
    working.set(append.stream, chained.head);
    return { rows: chained.rows };
  });
}

/** `plan` against what the database holds, where an append whose ids are stored answers as it was written. */
function planCarefully(
  batch: readonly PostgresAppend[],
  heads: Map<string, StreamHead>,
  stored: Map<string, StoredEvent>,
  base: number,
): Planned[] {
  const working = new Map<string, StreamHead>();
  let position = base;
  return batch.map((append) => {
    try {
      const replayed = replayedAppend({ ...append, types: append.events.map((event) => event.type) }, (id) => stored.get(id));
      if (replayed) return { outcome: { ok: true, result: replayed } };
    } catch (error) {
      return { outcome: { ok: false, message: (error as Error).message, error: error as Error } };
    }
    const head = working.get(append.stream) ?? heads.get(append.stream) ?? NO_STREAM_HEAD;
    if (!satisfies(append.expected, head.revision)) return { outcome: conflict(append, head.revision) };
    const chained = chainAppend(head, append.events, append.ids);
    working.set(append.stream, chained.head);
    // a later append of the batch retrying this one finds its ids here
    for (const row of chained.rows)
      stored.set(row.id, { id: row.id, stream: append.stream, revision: row.revision, type: row.type, position: (position += 1) });
    return { rows: chained.rows };
  });
}

function insertRows(batch: readonly PostgresAppend[], planned: readonly Planned[]): InsertRow[] {
  const rows: InsertRow[] = [];
  planned.forEach((item, index) => {
    if (!item.rows) return;
    const { stream, recordedAt } = batch[index]!;
    const at = recordedAt.toISOString();
    for (const row of item.rows)
      rows.push({
        ord: rows.length + 1,
        id: row.id,
        stream,
        revision: row.revision,
        type: row.type,
        data: row.dataJson,
        metadata: row.metadataJson,
        recorded_at: at,
      });
  });
  return rows;
}

function conflict(append: PostgresAppend, actual: number): AppendOutcome {
  return {
    ok: false,
    conflict: { stream: append.stream, expected: append.expected, actual },
    message: `stream ${append.stream}: expected revision ${String(append.expected)}, actual ${actual}`,
  };
}

function failAll(batch: readonly PostgresAppend[], error: Error): AppendOutcome[] {
  return batch.map(() => ({ ok: false, message: error.message, error }));
}

type Query = readonly [text: string, values?: readonly unknown[]];

/** Sends the queries together (the connection is pipelined), waits for them all, and throws the first error. */
async function pipeline(client: pg.Client, queries: readonly Query[]): Promise<pg.QueryResult[]> {
  const settled = await Promise.allSettled(queries.map(([text, values]) => client.query(text, values as unknown[] | undefined)));
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<pg.QueryResult>).value);
}
