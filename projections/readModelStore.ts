import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Projection } from './projection.js';

/** How long a write waits for another connection's write transaction (a rebuild's batch) by default. */
const LOCK_WAIT_MS = 10_000;

export interface Checkpoint {
  position: number;
  version: number;
}

/**
 * The local read model database (`<dataDir>/readmodels.db`), one per server instance even when the
 * events live in KurrentDB. Read models can always be rebuilt from the events, so the file is written
 * with `synchronous=NORMAL`: a power cut may lose the last batches, never consistency, because each
 * batch commits with its checkpoint and is simply replayed.
 */
/** Projections that were removed, by name, with the tables they owned. */
const RETIRED_READ_MODELS: Record<string, readonly string[]> = {
  provider_settings: ['provider_settings'],
  application_policies: ['application_policies'],
};

export class ReadModelStore {
  readonly db: SqliteDatabase;
  private readonly getCheckpoint: Statement<[string], Checkpoint>;
  private readonly putCheckpoint: Statement<[string, number, number]>;

  static open(file: string): ReadModelStore {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return new ReadModelStore(new Database(file, { timeout: LOCK_WAIT_MS }));
  }

  static fileIn(dataDir: string): string {
    return path.resolve(dataDir, 'readmodels.db');
  }

  private constructor(db: SqliteDatabase) {
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // what a read model deletes (an erased subject's row) is overwritten, not just unlinked
    db.pragma('secure_delete = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY, position INTEGER NOT NULL, version INTEGER NOT NULL)`);
    this.dropRetired();
    this.getCheckpoint = db.prepare('SELECT position, version FROM projection_checkpoints WHERE name = ?');
    this.putCheckpoint = db.prepare(
      `INSERT INTO projection_checkpoints (name, position, version) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, version = excluded.version`,
    );
  }

  /**
   * Read models that were removed because nothing read them: their tables go with their checkpoints, so a file
   * written by an older version keeps no copy of what they held (provider settings with sealed secrets).
   */
  private dropRetired(): void {
    this.db.transaction(() => {
      for (const [name, tables] of Object.entries(RETIRED_READ_MODELS)) {
        for (const table of tables) this.db.exec(`DROP TABLE IF EXISTS "${table}"`);
        this.db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(name);
      }
    })();
  }

  /** The last position applied to a projection, 0 when it never ran. */
  checkpoint(name: string): Checkpoint {
    return this.getCheckpoint.get(name) ?? { position: 0, version: 0 };
  }

  setCheckpoint(name: string, position: number, version: number): void {
    this.putCheckpoint.run(name, position, version);
  }

  /** Creates a projection's tables; drops and recreates them (checkpoint 0) when its version changed. */
  prepare(projection: Projection): void {
    this.db
      .transaction(() => {
        const current = this.checkpoint(projection.name);
        if (current.version !== projection.version) this.resetInTransaction(projection);
        else projection.setup(this.db);
      })
      .immediate();
  }

  /** Drops a projection's tables and checkpoint, then creates empty tables: the start of a rebuild. */
  reset(projection: Projection): void {
    this.db.transaction(() => this.resetInTransaction(projection)).immediate();
  }

  private resetInTransaction(projection: Projection): void {
    for (const table of projection.tables) this.db.exec(`DROP TABLE IF EXISTS "${table}"`);
    projection.setup(this.db);
    this.setCheckpoint(projection.name, 0, projection.version);
  }

  /**
   * Runs `write` waiting at most `ms` for the write lock, then throws SQLITE_BUSY (`isLockBusy`). The
   * wait blocks the thread, so a server's writer takes a short one and retries later, keeping its
   * event loop free while a CLI rebuild commits a batch.
   */
  withLockWait<T>(ms: number, write: () => T): T {
    this.db.pragma(`busy_timeout = ${ms}`);
    try {
      return write();
    } finally {
      this.db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
    }
  }

  /**
   * Copies the WAL into the file and truncates it, so no page image from before a deletion survives
   * in either. False when another connection's reader held it up (the next one catches up).
   */
  checkpointWal(): boolean {
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result?.busy === 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Whether SQLite gave up waiting for a lock (`withLockWait`). */
export function isLockBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
