import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { filesHolding } from '../support/dataDirSearch.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { describePostgres, freshSchema } from '../support/postgres.js';
import { tempDir } from '../support/tempDir.js';

const phone = '+15125550166';
const email = 'katherine.erasure@example.com';
const username = 'katherine_johnson_1918';
const values = [phone, phone.slice(1), email, username];

/** The cluster's data directory, when the test run started it (`.ci/postgres.sh` exports PG_TEST_DIR). */
const clusterDir = process.env.PG_TEST_DIR ? path.join(process.env.PG_TEST_DIR, 'data') : undefined;

/** Which needles any file PostgreSQL keeps (tables, indexes, the WAL) holds. */
function clusterHolds(dir: string, needles: readonly string[]): string[] {
  const found = new Set<string>();
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const file = path.join(current, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) {
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(file);
        } catch {
          continue; // removed between the listing and the read (a WAL segment, a temp file)
        }
        for (const needle of needles) if (bytes.includes(needle)) found.add(needle);
      }
    }
  };
  walk(dir);
  return [...found];
}

/**
 * Erasure with the PostgreSQL event store, through a real server: the keys live in the event store's own
 * database (no setting), the events reach PostgreSQL sealed, and after the erasure the destroyed keys are in
 * no file of the cluster.
 */
describePostgres('erasure with the PostgreSQL event store (end to end)', (url) => {
  let schema: ReturnType<typeof freshSchema>;
  let temp: ReturnType<typeof tempDir>;
  let t: TestServer;
  before(async function () {
    this.timeout(60_000);
    schema = freshSchema(url, 'erasure');
    temp = tempDir();
    t = await startOtpServer({ dir: temp.dir, overlay: { ...acmeWithAuditor, eventStore: { url: schema.url } } });
  });
  after(async () => {
    await t?.close();
    await schema?.drop();
    temp?.remove();
  });

  it('seals before PostgreSQL sees a value, keeps the keys in its database, and leaves no destroyed key in any file of the cluster', async function () {
    this.timeout(180_000);
    const [app, admin, auditor] = await Promise.all([t.clientToken(), t.clientToken('acme-admin'), t.clientToken('acme-audit')]);
    const created = await t.post('/cis/v1/users', { phone_number: phone, email, username }, app);
    expect(created.status).to.equal(201);
    const userId = created.body.result.user_id as string;
    expect(
      (await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app)).status,
    ).to.equal(200);
    const signedIn = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: (await t.lastSms(phone)).code, identifier_type: 'phone_number', identifier: phone },
      app,
    );
    expect(signedIn.status).to.equal(200);
    expect((await t.get(`/admin/v1/users/${userId}/export`, admin)).body.user).to.include({ phone_number: phone, email, username });

    // the keys are in the event store's database, in its schema: the user's (and its phone's, once sealing needed one)
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let wrapped: string[];
    try {
      const rows = (await client.query(`SELECT subject, wrapped FROM ${pg.escapeIdentifier(schema.schema)}.subject_keys`)).rows as {
        subject: string;
        wrapped: string;
      }[];
      expect(rows.map((row) => row.subject)).to.include(`user-acme-${userId}`);
      wrapped = rows
        .filter((row) => row.subject === `user-acme-${userId}` || row.subject.startsWith('phone-acme-'))
        .map((row) => row.wrapped);
      expect(wrapped.length).to.be.greaterThan(0);
      // the events hold ciphertext
      const stored = (
        await client.query(`SELECT data::text AS data FROM ${pg.escapeIdentifier(schema.schema)}.events WHERE type = 'UserCreated'`)
      ).rows as { data: string }[];
      expect(stored).to.have.length(1);
      for (const value of values) expect(stored[0]!.data).to.not.contain(value);
      expect(stored[0]!.data).to.contain('pii:v1:');
    } finally {
      await client.end();
    }
    if (clusterDir) {
      // what the cluster's files hold now: the wrapped keys (the search can find them), never a value
      expect(clusterHolds(clusterDir, wrapped).length).to.be.greaterThan(0);
      expect(clusterHolds(clusterDir, values)).to.deep.equal([]);
    }

    const erased = await fetch(`${t.url}/admin/v1/users/${userId}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    expect(erased.status).to.equal(200);
    const after = await fetch(`${t.url}/admin/v1/users/${userId}/export`, { headers: { authorization: `Bearer ${admin}` } });
    const text = await after.text();
    for (const value of values) expect(text, value).to.not.contain(value);
    expect(text).to.contain('[erased]');
    expect((await t.get('/admin/v1/audit/verify', auditor)).body).to.include({ ok: true });
    expect(filesHolding(temp.dir, values)).to.deep.equal([]);
    if (clusterDir) expect(clusterHolds(clusterDir, [...wrapped, ...values])).to.deep.equal([]);
    else console.log('      (the cluster byte search needs PG_TEST_DIR: `source .ci/postgres.sh && postgres_start`)');

    // the number signs up again, under new keys in the same tables
    const again = await t.post('/cis/v1/users', { phone_number: phone }, app);
    expect(again.status).to.equal(201);
    await t.server.container.cradle.projectionRunner.catchUp();
    expect((await t.get(`/admin/v1/users/${again.body.result.user_id as string}`, admin)).body.result).to.include({ phone_number: phone });
  });
});
