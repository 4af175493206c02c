import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyLookup, KeyStore, SubjectKeyRecord } from './keyStore.js';

interface KeyRow {
  key_id: string;
  subject: string;
  wrapped: string;
  created_at: number;
}

/** A WAL checkpoint waits this long, in all, for readers of other connections to move on. */
const CHECKPOINT_PATIENCE_MS = 2000;

const toRecord = (row: KeyRow): SubjectKeyRecord => ({
  keyId: row.key_id,
  subject: row.subject,
  wrapped: row.wrapped,
  createdAt: new Date(row.created_at),
});

/**
 * Subject keys in a SQLite file of their own (`subject-keys.db` beside the event store), so that a
 * deletion really removes bytes from disk, which an append-only event log never does:
 * - `secure_delete=ON`: SQLite overwrites deleted rows (and their index entries) with zeros;
 * - after a deletion, `wal_checkpoint(TRUNCATE)` copies the zeroed pages into the database file and
 *   empties the WAL, so no older page image holding the key survives in either file;
 * - `synchronous=FULL`: a key is durable before any event sealed with it is appended.
 * WAL mode lets several otpledger processes on one host share the file, as they share the event store.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly bySubject: Statement<[string], KeyRow>;
  private readonly insert: Statement<[string, string, string, number]>;
  private readonly destroyedIds: Statement<[string], { key_id: string }>;
  private readonly byId: Statement<[string], KeyRow>;

  static open(file: string): SqliteKeyStore {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 10_000 });
    fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS subject_keys (
        key_id TEXT PRIMARY KEY, subject TEXT NOT NULL UNIQUE, wrapped TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS destroyed_keys (key_id TEXT PRIMARY KEY, destroyed_at INTEGER NOT NULL) WITHOUT ROWID;`);
    return new SqliteKeyStore(db);
  }

  private constructor(private readonly db: SqliteDatabase) {
    this.bySubject = db.prepare('SELECT key_id, subject, wrapped, created_at FROM subject_keys WHERE subject = ?');
    this.insert = db.prepare(
      'INSERT INTO subject_keys (key_id, subject, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING',
    );
    this.destroyedIds = db.prepare('SELECT key_id FROM destroyed_keys WHERE key_id = ?');
    this.byId = db.prepare('SELECT key_id, subject, wrapped, created_at FROM subject_keys WHERE key_id = ?');
  }

  async getOrCreate(subject: string, create: () => SubjectKeyRecord): Promise<SubjectKeyRecord> {
    const existing = this.bySubject.get(subject);
    if (existing) return toRecord(existing);
    const candidate = create();
    // of two processes creating one subject's key, the first insert wins and both read it back
    this.insert.run(candidate.keyId, subject, candidate.wrapped, candidate.createdAt.getTime());
    return toRecord(this.bySubject.get(subject)!);
  }

  async lookup(keyIds: readonly string[]): Promise<KeyLookup> {
    const result: KeyLookup = { keys: new Map(), destroyed: new Set() };
    // a handful of ids per call (an event's, a page's): point queries on the primary key
    for (const keyId of new Set(keyIds)) {
      const row = this.byId.get(keyId);
      if (row) result.keys.set(keyId, toRecord(row));
      else if (this.destroyedIds.get(keyId)) result.destroyed.add(keyId);
    }
    return result;
  }

  async destroy(subjects: readonly string[]): Promise<string[]> {
    const now = Date.now();
    const destroyed = this.db
      .transaction(() => {
        const ids: string[] = [];
        for (const subject of new Set(subjects)) {
          const row = this.bySubject.get(subject);
          if (!row) continue;
          this.db.prepare('DELETE FROM subject_keys WHERE key_id = ?').run(row.key_id);
          this.db.prepare('INSERT OR IGNORE INTO destroyed_keys (key_id, destroyed_at) VALUES (?, ?)').run(row.key_id, now);
          ids.push(row.key_id);
        }
        return ids;
      })
      .immediate();
    if (destroyed.length > 0) await this.checkpoint();
    return destroyed;
  }

  /**
   * Copies every WAL frame into the database file and truncates the WAL to zero bytes. A reader in
   * another connection can hold it up; it is asked again until it lets go (bounded), then reported.
   */
  async checkpoint(): Promise<void> {
    const deadline = Date.now() + CHECKPOINT_PATIENCE_MS;
    for (;;) {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      if (result && result.busy === 0) return;
      if (Date.now() > deadline)
        throw new Error('key store: a WAL checkpoint could not complete (another connection kept reading); the next deletion retries it');
      await sleep(20);
    }
  }

  async rewrap(updates: ReadonlyMap<string, string>): Promise<void> {
    const update = this.db.prepare('UPDATE subject_keys SET wrapped = ? WHERE key_id = ?');
    this.db
      .transaction(() => {
        for (const [keyId, wrapped] of updates) update.run(wrapped, keyId);
      })
      .immediate();
    // the old wrapping (under the retired master key) must not linger in old pages either
    await this.checkpoint();
  }

  async list(after: string, limit: number): Promise<SubjectKeyRecord[]> {
    const rows = this.db
      .prepare('SELECT key_id, subject, wrapped, created_at FROM subject_keys WHERE key_id > ? ORDER BY key_id LIMIT ?')
      .all(after, limit) as KeyRow[];
    return rows.map(toRecord);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
