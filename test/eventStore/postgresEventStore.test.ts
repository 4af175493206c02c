import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EventIdReusedError } from '../../core/eventStore/idempotentAppend.js';
import { PostgresEventStore } from '../../core/eventStore/postgresEventStore.js';
import { parsePostgresUrl } from '../../core/eventStore/postgresConnection.js';
import { eventStoreContract } from '../contracts/eventStore.contract.js';
import { describePostgres, freshSchema } from '../support/postgres.js';

describe('PostgreSQL store URL', () => {
  it('takes otpledger\'s own parameters out and passes the rest to the driver', () => {
    const settings = parsePostgresUrl('postgres://u:p@db:5433/app?schema=ledger&sslmode=require&connect_timeout=2&query_timeout=5000&pool_max=4');
    expect(settings).to.deep.include({ schema: 'ledger', connectTimeoutMs: 2000, queryTimeoutMs: 5000, poolMax: 4 });
    expect(settings.connectionString).to.equal('postgres://u:p@db:5433/app?sslmode=require&connect_timeout=2');
    expect(parsePostgresUrl('postgresql://db/app')).to.deep.include({ schema: 'otpledger', connectTimeoutMs: 3000, queryTimeoutMs: 10_000, poolMax: 10 });
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
