import Database from 'better-sqlite3';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';

/**
 * Processes sharing the file: a request that reaches this process after another process answered must see
 * what that process committed before answering, even if this process read something a moment earlier in the
 * same turn of its event loop. (Sharing one read transaction across a turn's reads was tried for speed and
 * taken back: a command that appends nothing, such as a check that finds no pending code, has no revision
 * check to catch the stale read.)
 */
describe('the SQLite store: every read sees what was committed before it began', () => {
  let store: SqliteEventStore;
  let other: Database.Database;

  beforeEach(() => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-fresh-')), 'events.db');
    store = SqliteEventStore.open(file);
    other = new Database(file); // another process, as far as SQLite can tell
  });

  afterEach(async () => {
    await store.close();
    other.close();
  });

  it("sees another connection's commit at once, in the same turn as an earlier read", async () => {
    const stream = `s-${randomUUID()}`;
    expect(await store.streamRevision(stream)).to.equal(-1);
    other
      .prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(randomUUID(), stream, 0, 'Noted', '{}', '{}', Date.now());
    expect(await store.streamRevision(stream)).to.equal(0);
    expect(await store.readStream(stream)).to.have.length(1);
  });
});
