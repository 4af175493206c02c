import Database from 'better-sqlite3';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';

const nextTurn = () => new Promise(setImmediate);

describe('the SQLite store: reads of one turn share a snapshot', () => {
  let file: string;
  let store: SqliteEventStore;
  let other: Database.Database;

  beforeEach(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-snapshot-')), 'events.db');
    store = SqliteEventStore.open(file);
    other = new Database(file); // another process, as far as SQLite can tell
  });

  afterEach(async () => {
    await store.close();
    other.close();
  });

  const commitElsewhere = (stream: string, revision: number) =>
    other
      .prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(randomUUID(), stream, revision, 'Noted', '{}', '{}', Date.now());

  it("sees another connection's commit from the next turn on, never in the middle of a turn", async () => {
    const stream = `s-${randomUUID()}`;
    expect(await store.streamRevision(stream)).to.equal(-1); // opens this turn's snapshot
    commitElsewhere(stream, 0);
    expect(await store.streamRevision(stream)).to.equal(-1);
    expect(await store.readStream(stream)).to.have.length(0);
    await nextTurn();
    expect(await store.streamRevision(stream)).to.equal(0);
    expect(await store.readStream(stream)).to.have.length(1);
  });

  it('sees its own commits at once, in the turn they resolve in', async () => {
    const stream = `s-${randomUUID()}`;
    expect(await store.streamRevision(stream)).to.equal(-1);
    const appended = store.appendToStream(stream, [{ type: 'Noted', data: {} }]);
    expect(await store.streamRevision(stream)).to.equal(-1); // not committed yet: appends commit at the turn's end
    await appended;
    expect(await store.streamRevision(stream)).to.equal(0);
    expect((await store.readStream(stream)).map((event) => event.type)).to.deep.equal(['Noted']);
  });

  it('holds no read lock between turns: another connection can checkpoint the whole log', async () => {
    const stream = `s-${randomUUID()}`;
    await store.appendToStream(stream, [{ type: 'Noted', data: {} }]);
    expect(await store.readStream(stream)).to.have.length(1);
    await nextTurn();
    // TRUNCATE waits for every reader to leave the log: a snapshot left open would make it report busy
    const [result] = other.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    expect(result!.busy).to.equal(0);
  });
});
