import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ConcurrencyError } from '../../core/eventStore/concurrencyError.js';
import { checkLink, chainOf } from '../../core/eventStore/hashChain.js';
import { EventIdReusedError } from '../../core/eventStore/idempotentAppend.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { PostgresEventStore } from '../../core/eventStore/postgresEventStore.js';
import { parsePostgresUrl } from '../../core/eventStore/postgresConnection.js';
import { eventStoreContract } from '../contracts/eventStore.contract.js';
import { describePostgres, freshSchema } from '../support/postgres.js';

describe('PostgreSQL store URL', () => {
  it("takes otpledger's own parameters out and passes the rest to the driver", () => {
    const settings = parsePostgresUrl(
      'postgres://u:p@db:5433/app?schema=ledger&sslmode=require&connect_timeout=2&query_timeout=5000&pool_max=4',
    );
    expect(settings).to.deep.include({ schema: 'ledger', connectTimeoutMs: 2000, queryTimeoutMs: 5000, poolMax: 4 });
    expect(settings.connectionString).to.equal('postgres://u:p@db:5433/app?sslmode=require&connect_timeout=2');
    expect(parsePostgresUrl('postgresql://db/app')).to.deep.include({
      schema: 'otpledger',
      connectTimeoutMs: 3000,
      queryTimeoutMs: 10_000,
      poolMax: 10,
    });
    expect(() => parsePostgresUrl('postgres://db/app?schema=Bad-Name')).to.throw(/schema/);
    expect(() => parsePostgresUrl('postgres://db/app?query_timeout=0')).to.throw(/query_timeout/);
  });
});

describePostgres('PostgreSQL event store', (url) => {
  const schema = freshSchema(url, 'contract');
  after(() => schema.drop());

  eventStoreContract('postgres', {
    open: () => new PostgresEventStore(schema.url, { pollIntervalMs: 50 }),
    reopen: () => new PostgresEventStore(schema.url, { pollIntervalMs: 50 }),
  });

  describe('beyond the contract', () => {
    let store: PostgresEventStore;
    beforeEach(async () => (store = await PostgresEventStore.open(schema.url)));
    afterEach(() => store.close());

    it('refuses an event id stored for another event, and a non-UUID id', async () => {
      const id = randomUUID();
      await store.appendToStream(`reuse-${id}`, [{ id, type: 'A', data: {} }]);
      let error: unknown;
      await store.appendToStream(`other-${id}`, [{ id, type: 'A', data: {} }]).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(EventIdReusedError);
      await store.appendToStream(`reuse-${id}`, [{ id: 'not-a-uuid', type: 'A', data: {} }]).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(TypeError);
      expect(await store.readStream(`other-${id}`)).to.deep.equal([]);
    });

    it('keeps data byte for byte, \\u0000 and deep nesting included', async () => {
      const s = `json-${randomUUID()}`;
      const data = { text: 'a\u0000b "quoted" \\ back', nested: { list: [1, 2.5, null, true, { z: 1, a: 2 }] }, emoji: '☎️' };
      await store.appendToStream(s, [{ type: 'A', data }]);
      expect((await store.readStream(s))[0]!.data).to.deep.equal(data);
    });

    it('writes a stream another writer moved on where it really ends: stale cached heads never win', async () => {
      // two stores = two writers, each with its own head cache, as two processes have
      const other = await PostgresEventStore.open(schema.url);
      try {
        const s = `stale-${randomUUID()}`;
        await store.appendToStream(s, [{ type: 'A', data: { n: 0 } }]); // store's cache: 0
        await other.appendToStream(s, [
          { type: 'A', data: { n: 1 } },
          { type: 'A', data: { n: 2 } },
        ]); // other assumed "no stream"
        // store's cache says 0: the hot path must not report a conflict against it
        expect((await store.appendToStream(s, [{ type: 'A', data: { n: 3 } }], { expectedRevision: 2 })).nextExpectedRevision).to.equal(3);
        expect((await store.appendToStream(s, [{ type: 'A', data: { n: 4 } }])).nextExpectedRevision).to.equal(4);
        // other's cache says 2: its exact append at 2 is a conflict against the real head
        const error = await other.appendToStream(s, [{ type: 'A', data: { n: 9 } }], { expectedRevision: 2 }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(ConcurrencyError);
        expect((await other.appendToStream(s, [{ type: 'A', data: { n: 5 } }])).nextExpectedRevision).to.equal(5);
        expectChained(await store.readStream(s), 6);
      } finally {
        await other.close();
      }
    });

    it('checks that a cached head is still there before chaining on it', async () => {
      const s = `gone-${randomUUID()}`;
      await store.appendToStream(s, [
        { type: 'A', data: { n: 0 } },
        { type: 'A', data: { n: 1 } },
        { type: 'A', data: { n: 2 } },
      ]);
      // the head the writer remembers disappears behind its back (an operator's repair, a restored backup)
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DELETE FROM ${pg.escapeIdentifier(schema.schema)}.events WHERE stream = $1 AND revision = 2`, [s]);
      } finally {
        await client.end();
      }
      expect((await store.appendToStream(s, [{ type: 'A', data: { n: 3 } }])).nextExpectedRevision).to.equal(2);
      expectChained(await store.readStream(s), 3);
    });

    it('migrates a database written by the first schema version (no append function yet)', async () => {
      const fresh = freshSchema(url, 'v1');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const first = await PostgresEventStore.open(fresh.url);
        await first.appendToStream('before', [{ type: 'A', data: {} }]);
        await first.close();
        const s = pg.escapeIdentifier(fresh.schema);
        await client.query(`DROP FUNCTION ${s}.append_events; DELETE FROM ${s}.schema_migrations WHERE version > 1`);
        const upgraded = await PostgresEventStore.open(fresh.url);
        expect((await upgraded.appendToStream('before', [{ type: 'A', data: {} }])).nextExpectedRevision).to.equal(1);
        await upgraded.close();
        const { rows } = await client.query(`SELECT version FROM ${s}.schema_migrations ORDER BY version`);
        expect(rows.map((row: { version: number }) => row.version)).to.deep.equal([1, 2]);
      } finally {
        await client.end();
        await fresh.drop();
      }
    });

    it('creates its schema once when many stores open it at the same moment', async () => {
      const fresh = freshSchema(url, 'migrate');
      try {
        const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresEventStore.open(fresh.url)));
        await Promise.all(stores.map((s, i) => s.appendToStream(`m-${i}`, [{ type: 'A', data: {} }])));
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await fresh.drop();
      }
    });
  });
});

/** The stream holds revisions 0..count-1, each linked to the one before it. */
function expectChained(events: RecordedEvent[], count: number): void {
  expect(events.map((event) => event.revision)).to.deep.equal([...Array(count).keys()]);
  let previous: { revision: number; hash: string } | undefined;
  for (const event of events) {
    expect(checkLink(previous, event)).to.equal(undefined);
    previous = { revision: event.revision, hash: chainOf(event.metadata)!.hash };
  }
}
