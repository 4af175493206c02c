import pg from 'pg';
import { createHash } from 'node:crypto';

/**
 * Versioned schema of the PostgreSQL store, in its own PostgreSQL schema (`otpledger` unless the URL
 * names another). Append a migration, never edit a shipped one: `migrate` applies the ones the database
 * has not seen, in one transaction under an advisory lock, so processes starting together apply each once.
 *
 * - `position` is given by the writer under the append lock (`postgresWriter.ts`): one transaction
 *   appends at a time, so positions become visible in order and a reader never skips one.
 * - `UNIQUE (stream, revision)` is the last line of defence for optimistic concurrency, and the
 *   index behind every head read.
 * - `data` and `metadata` are `json`, not `jsonb`: kept byte for byte as written, cheaper to write and
 *   read back, and still queryable (`data->>'phoneHash'`); `jsonb` would refuse `\u0000` in a string.
 * - `append_events` is the writer's hot path as one statement (`postgresWriter.ts`).
 */
const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events table',
    sql: `
      CREATE TABLE events (
        position    bigint      PRIMARY KEY,
        id          uuid        NOT NULL UNIQUE,
        stream      text        NOT NULL,
        revision    integer     NOT NULL,
        type        text        NOT NULL,
        data        json        NOT NULL,
        metadata    json        NOT NULL,
        recorded_at timestamptz NOT NULL,
        UNIQUE (stream, revision)
      );
      CREATE INDEX events_type_position ON events (type, position);
    `,
  },
  {
    version: 2,
    name: 'append_events function',
    // One call in its own (autocommit) transaction: the append lock, the checks, the insert and the
    // NOTIFY, so a group commit is one statement whose plans PostgreSQL keeps, not five parsed each
    // time. VOLATILE plpgsql under READ COMMITTED takes a new snapshot per statement: everything after
    // the lock sees every append committed before it. It returns the last position before the batch,
    // or NULL (nothing written) when what the batch was planned on does not hold: a head it chained on
    // is missing, a stream it only checked moved on, or an id it must not find is stored. (A stream the
    // batch writes to that moved on fails the insert itself: UNIQUE (stream, revision).)
    sql: `
      CREATE FUNCTION append_events(
        batch json, heads_stream text[], heads_revision integer[], moved_stream text[], moved_revision integer[],
        absent_ids uuid[], lock_key bigint, channel text)
      RETURNS bigint LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $fn$
      DECLARE
        base bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        IF EXISTS (
             SELECT 1 FROM unnest(heads_stream, heads_revision) AS h(stream, revision)
             WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = h.stream AND e.revision = h.revision))
           OR EXISTS (
             SELECT 1 FROM unnest(moved_stream, moved_revision) AS m(stream, revision)
             JOIN events e ON e.stream = m.stream AND e.revision = m.revision)
           OR EXISTS (SELECT 1 FROM events WHERE id = ANY (absent_ids)) THEN
          RETURN NULL;
        END IF;
        SELECT coalesce(max(position), 0) INTO base FROM events;
        INSERT INTO events (position, id, stream, revision, type, data, metadata, recorded_at)
        SELECT base + r.ord, r.id, r.stream, r.revision, r.type, r.data::json, r.metadata::json, r.recorded_at
        FROM json_to_recordset(batch)
          AS r(ord bigint, id uuid, stream text, revision integer, type text, data text, metadata text, recorded_at timestamptz);
        PERFORM pg_notify(channel, '');
        RETURN base;
      END
      $fn$;
    `,
  },
];

export const latestPostgresSchemaVersion = migrations[migrations.length - 1]!.version;

/** The advisory lock key of one store (one schema): appends and migrations of that store take it. */
export function lockKey(schema: string, purpose: 'append' | 'migrate'): string {
  return createHash('sha256').update(`otpledger:${schema}:${purpose}`).digest().readBigInt64BE().toString();
}

/** The NOTIFY channel woken after each commit. */
export function notifyChannel(schema: string): string {
  return `otpledger_events_${schema}`;
}

export async function migrate(client: pg.ClientBase, schema: string): Promise<void> {
  const s = pg.escapeIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(schema, 'migrate')]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const done = new Set(rows.map((row) => row.version));
    const newer = rows.find((row) => row.version > latestPostgresSchemaVersion);
    if (newer)
      throw new Error(
        `the event store schema ${schema} is at version ${newer.version}, newer than this otpledger knows (${latestPostgresSchemaVersion})`,
      );
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
