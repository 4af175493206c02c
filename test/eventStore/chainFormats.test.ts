import Database from 'better-sqlite3';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { verifyChain } from '../../core/audit/verifyChain.js';
import { canonicalJson, chainHash } from '../../core/eventStore/hashChain.js';
import { PostgresEventStore } from '../../core/eventStore/postgresEventStore.js';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import type { EventStore } from '../../core/eventStore/types.js';
import { describePostgres, freshSchema } from '../support/postgres.js';

/** Rows as a store wrote them before chain format 2: canonical texts, a chain without `v`. */
function formatOneRows(stream: string, count: number): { id: string; revision: number; type: string; data: string; metadata: string }[] {
  let prev: string | null = null;
  return Array.from({ length: count }, (_, revision) => {
    const data = { phoneHash: 'p'.repeat(8), attempt: revision, at: '2026-11-30T10:00:00.000Z' };
    const metadata = { tenantId: 'acme', actor: 'old', schemaVersion: 1 };
    const hash = chainHash(prev, 'OtpFailed', data, metadata, 1);
    const row = {
      id: randomUUID(),
      revision,
      type: 'OtpFailed',
      data: canonicalJson(data),
      metadata: canonicalJson({ ...metadata, chain: { prev, hash } }),
    };
    prev = hash;
    return row;
  });
}

/** A store holding format-1 events, appended to by this version, verifies; an edit of an old event is still caught. */
async function checkBothFormats(
  store: EventStore,
  stream: string,
  tamper: (revision: number) => Promise<void>,
  storedTexts: (revision: number) => Promise<{ data: string; metadata: string }>,
): Promise<void> {
  // this version chains on the old head: the stream's last format-1 hash
  await store.appendToStream(stream, [{ type: 'OtpVerified', data: { z: 1, a: 2 }, metadata: { tenantId: 'acme' } }], {
    expectedRevision: 2,
  });
  await store.appendToStream(`fresh-${stream}`, [{ type: 'OtpIssued', data: { b: 1, a: 2 } }]);
  const events = await store.readStream(stream);
  expect(events.map((event) => (event.metadata.chain as { v?: number }).v)).to.deep.equal([undefined, undefined, undefined, 2]);
  expect((events[3]!.metadata.chain as { prev: string }).prev).to.equal((events[2]!.metadata.chain as { hash: string }).hash);
  expect(await verifyChain(store)).to.include({ ok: true, events: 5 });
  // format 2 hashes the texts as stored: the store keeps them byte for byte as JSON.stringify of what is read back
  expect(await storedTexts(3)).to.deep.equal({ data: JSON.stringify(events[3]!.data), metadata: JSON.stringify(events[3]!.metadata) });
  await tamper(3); // the format-2 event
  const newer = await verifyChain(store);
  expect(newer.ok).to.equal(false);
  expect(newer.broken).to.include({ stream, revision: 3, problem: 'wrong_hash' });
  await tamper(1); // a format-1 event, earlier in the log: now the first break
  const report = await verifyChain(store);
  expect(report.ok).to.equal(false);
  expect(report.broken).to.include({ stream, revision: 1, problem: 'wrong_hash' });
}

describe('hash chain formats in the stores: events written in format 1 verify beside new ones', () => {
  it('SQLite', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-formats-')), 'events.db');
    const stream = `otp-${randomUUID()}`;
    await SqliteEventStore.open(file).close(); // creates the schema
    const db = new Database(file);
    const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const row of formatOneRows(stream, 3)) insert.run(row.id, stream, row.revision, row.type, row.data, row.metadata, Date.now());
    const store = SqliteEventStore.open(file);
    try {
      await checkBothFormats(
        store,
        stream,
        async (revision) => {
          db.prepare("UPDATE events SET data = json_set(data, '$.attempt', 0) WHERE stream = ? AND revision = ?").run(stream, revision);
        },
        async (revision) =>
          db.prepare('SELECT data, metadata FROM events WHERE stream = ? AND revision = ?').get(stream, revision) as {
            data: string;
            metadata: string;
          },
      );
    } finally {
      await store.close();
      db.close();
    }
  });

  describePostgres('PostgreSQL', (url) => {
    it('PostgreSQL', async () => {
      const schema = freshSchema(url, 'formats');
      const stream = `otp-${randomUUID()}`;
      await (await PostgresEventStore.open(schema.url)).close(); // creates the schema
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const table = `${pg.escapeIdentifier(schema.schema)}.events`;
      let store: PostgresEventStore | undefined;
      try {
        for (const [index, row] of formatOneRows(stream, 3).entries()) {
          await client.query(
            `INSERT INTO ${table} (position, id, stream, revision, type, data, metadata, recorded_at) VALUES ($1, $2, $3, $4, $5, $6::json, $7::json, now())`,
            [index + 1, row.id, stream, row.revision, row.type, row.data, row.metadata],
          );
        }
        store = await PostgresEventStore.open(schema.url);
        await checkBothFormats(
          store,
          stream,
          async (revision) => {
            await client.query(
              `UPDATE ${table} SET data = jsonb_set(data::jsonb, '{attempt}', '0')::json WHERE stream = $1 AND revision = $2`,
              [stream, revision],
            );
          },
          async (revision) => {
            const { rows } = await client.query<{ data: string; metadata: string }>(
              `SELECT data::text AS data, metadata::text AS metadata FROM ${table} WHERE stream = $1 AND revision = $2`,
              [stream, revision],
            );
            return rows[0]!;
          },
        );
      } finally {
        await store?.close();
        await client.end();
        await schema.drop();
      }
    });
  });
});
