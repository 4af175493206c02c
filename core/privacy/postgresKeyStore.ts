import pg from 'pg';
import { clientConfig, parsePostgresUrl, storeError, type PostgresSettings } from '../eventStore/postgresConnection.js';
import { lockKey } from '../eventStore/postgresSchema.js';
import type { KeyLookup, KeyStore, SubjectKeyRecord } from './keyStore.js';

interface KeyRow {
  key_id: string;
  subject: string;
  wrapped: string;
  created_at: Date;
}

/** Partitions of the key table: a deletion rewrites only the ones it touched. */
const PARTITIONS = 16;

const toRecord = (row: KeyRow): SubjectKeyRecord => ({
  keyId: row.key_id,
  subject: row.subject,
  wrapped: row.wrapped,
  createdAt: row.created_at,
});

/**
 * Subject keys in PostgreSQL, in the event store's database and schema (so every otpledger process that
 * shares the event store shares the keys). A `DELETE` alone does not remove bytes in PostgreSQL: the row
 * stays in its page until the page is rewritten, and in the write-ahead log until the log is recycled. So
 * a deletion (or a rewrap) then
 * - rewrites the table partitions it touched (`VACUUM FULL`: new files without the row, the old ones
 *   removed; the key table is hash-partitioned by subject, so that is a sixteenth of it, under a short lock),
 * - switches to a new WAL segment and checkpoints, after which PostgreSQL drops the segments that held the
 *   row: removed when `wal_recycle = off`, else renamed for reuse and overwritten later.
 * The last step needs `pg_checkpoint` (PostgreSQL 15) and EXECUTE on `pg_switch_wal()`; without them, or
 * with `wal_recycle = on`, WAL archiving or replication slots keeping old segments, `warn` says what may
 * linger (docs/postgresql.md). Backups and archived WAL keep copies for their own retention in any case.
 */
export class PostgresKeyStore implements KeyStore {
  private readonly pool: pg.Pool;
  private readonly settings: PostgresSettings;
  private readonly table: string;
  private readonly destroyedTable: string;
  private ready: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.settings = parsePostgresUrl(url);
    const schema = pg.escapeIdentifier(this.settings.schema);
    this.table = `${schema}.subject_keys`;
    this.destroyedTable = `${schema}.destroyed_keys`;
    this.pool = new pg.Pool({ ...clientConfig(this.settings), max: 4, idleTimeoutMillis: 30_000 });
    this.pool.on('error', () => undefined);
  }

  async getOrCreate(subject: string, create: () => SubjectKeyRecord): Promise<SubjectKeyRecord> {
    // nearly always the key exists: one point query, and no new key made for nothing
    const [existing] = await this.query<KeyRow>(
      'read key',
      `SELECT key_id, subject, wrapped, created_at FROM ${this.table} WHERE subject = $1`,
      [subject],
    );
    if (existing) return toRecord(existing);
    const candidate = { ...create(), subject };
    // of two processes creating one subject's key, the first insert wins and both read it back
    const rows = await this.query<KeyRow>(
      'create key',
      `WITH inserted AS (
         INSERT INTO ${this.table} (key_id, subject, wrapped, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subject) DO NOTHING RETURNING key_id, subject, wrapped, created_at)
       SELECT * FROM inserted UNION ALL SELECT key_id, subject, wrapped, created_at FROM ${this.table} WHERE subject = $2`,
      [candidate.keyId, candidate.subject, candidate.wrapped, candidate.createdAt],
    );
    if (rows[0]) return toRecord(rows[0]);
    // inserted by another transaction that committed after our snapshot: it is there now
    const [row] = await this.query<KeyRow>(
      'read key',
      `SELECT key_id, subject, wrapped, created_at FROM ${this.table} WHERE subject = $1`,
      [candidate.subject],
    );
    return toRecord(row!);
  }

  async lookup(keyIds: readonly string[]): Promise<KeyLookup> {
    const unique = [...new Set(keyIds)];
    const result: KeyLookup = { keys: new Map(), destroyed: new Set() };
    if (unique.length === 0) return result;
    const rows = await this.query<KeyRow>(
      'look keys up',
      `SELECT key_id, subject, wrapped, created_at FROM ${this.table} WHERE key_id = ANY($1::text[])`,
      [unique],
    );
    for (const row of rows) result.keys.set(row.key_id, toRecord(row));
    const missing = unique.filter((keyId) => !result.keys.has(keyId));
    if (missing.length > 0) {
      const gone = await this.query<{ key_id: string }>(
        'look keys up',
        `SELECT key_id FROM ${this.destroyedTable} WHERE key_id = ANY($1::text[])`,
        [missing],
      );
      for (const row of gone) result.destroyed.add(row.key_id);
    }
    return result;
  }

  async destroy(subjects: readonly string[]): Promise<string[]> {
    if (subjects.length === 0) return [];
    const rows = await this.transaction('destroy keys', async (client) => {
      const deleted = await client.query<{ key_id: string; part: string }>(
        `DELETE FROM ${this.table} WHERE subject = ANY($1::text[]) RETURNING key_id, tableoid::regclass::text AS part`,
        [[...new Set(subjects)]],
      );
      if (deleted.rows.length > 0) {
        await client.query(
          `INSERT INTO ${this.destroyedTable} (key_id, destroyed_at) SELECT unnest($1::text[]), now() ON CONFLICT DO NOTHING`,
          [deleted.rows.map((row) => row.key_id)],
        );
      }
      return deleted.rows;
    });
    if (rows.length > 0) await this.purge(new Set(rows.map((row) => row.part)));
    return rows.map((row) => row.key_id);
  }

  async rewrap(updates: ReadonlyMap<string, string>): Promise<void> {
    if (updates.size === 0) return;
    const parts = await this.transaction('rewrap keys', async (client) => {
      const updated = await client.query<{ part: string }>(
        `UPDATE ${this.table} AS k SET wrapped = u.wrapped FROM unnest($1::text[], $2::text[]) AS u(key_id, wrapped)
         WHERE k.key_id = u.key_id RETURNING k.tableoid::regclass::text AS part`,
        [[...updates.keys()], [...updates.values()]],
      );
      return updated.rows.map((row) => row.part);
    });
    // the old wrapping (under the retired master key) must not linger in old row versions either
    await this.purge(new Set(parts));
  }

  async list(after: string, limit: number): Promise<SubjectKeyRecord[]> {
    const rows = await this.query<KeyRow>(
      'list keys',
      `SELECT key_id, subject, wrapped, created_at FROM ${this.table} WHERE key_id > $1 ORDER BY key_id LIMIT $2`,
      [after, limit],
    );
    return rows.map(toRecord);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /**
   * Removes the old row versions from the table files (rewriting each touched partition) and from the
   * write-ahead log (a new segment, then a checkpoint, which drops the segments before it).
   */
  private async purge(parts: ReadonlySet<string>): Promise<void> {
    for (const part of parts) {
      // a partition name as PostgreSQL printed it (`schema.subject_keys_3`), checked before use
      if (!/^[a-z0-9_."]+$/.test(part)) throw new Error(`key store: unexpected partition name ${part}`);
      await this.query('rewrite key partition', `VACUUM (FULL) ${part}`);
    }
    try {
      await this.query('switch WAL', 'SELECT pg_switch_wal()');
      await this.query('checkpoint', 'CHECKPOINT');
    } catch (error) {
      this.warn(
        `key store: the deleted keys are gone from the table files, but PostgreSQL refused to switch the WAL and checkpoint (${(error as Error).message}); they stay in old WAL segments until PostgreSQL recycles them. Grant pg_checkpoint and EXECUTE on pg_switch_wal() to this user.`,
      );
      return;
    }
    const [{ wal_recycle: recycle } = { wal_recycle: 'on' }] = await this.query<{ wal_recycle: string }>('settings', 'SHOW wal_recycle');
    if (recycle !== 'off')
      this.warn(
        'key store: wal_recycle is on, so old WAL segments holding deleted keys are renamed for reuse and overwritten later, not removed now; set wal_recycle = off for deletion at once.',
      );
  }

  /** The tables, created once per store (idempotent, under an advisory lock: processes may start together). */
  private schema(): Promise<void> {
    this.ready ??= this.transaction(
      'create key tables',
      async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(this.settings.schema, 'migrate')]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.settings.schema)}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
          key_id text NOT NULL, subject text NOT NULL, wrapped text NOT NULL, created_at timestamptz NOT NULL,
          PRIMARY KEY (subject)) PARTITION BY HASH (subject)`);
        for (let i = 0; i < PARTITIONS; i++) {
          await client.query(
            `CREATE TABLE IF NOT EXISTS ${this.table}_${i} PARTITION OF ${this.table} FOR VALUES WITH (MODULUS ${PARTITIONS}, REMAINDER ${i})`,
          );
        }
        await client.query(`CREATE INDEX IF NOT EXISTS subject_keys_key_id ON ${this.table} (key_id)`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.destroyedTable} (key_id text PRIMARY KEY, destroyed_at timestamptz NOT NULL)`,
        );
      },
      false,
    ).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async query<Row extends object>(doing: string, text: string, values?: unknown[]): Promise<Row[]> {
    await this.schema();
    try {
      return (await this.pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw storeError(error, `key store: ${doing}`);
    }
  }

  private async transaction<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>, needsSchema = true): Promise<T> {
    if (needsSchema) await this.schema();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error, `key store: ${doing}`);
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw storeError(error, `key store: ${doing}`);
    } finally {
      client.release();
    }
  }
}
