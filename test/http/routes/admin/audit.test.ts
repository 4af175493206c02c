import { expect } from 'chai';
import type { RecordedEvent } from '../../../../core/eventStore/types.js';
import { acmeWithAuditor } from '../../../support/auditorTenant.js';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { driveTraffic } from '../../../support/traffic.js';

const phone = '+15125550101';

describe('audit API (GET /admin/v1/audit/events, /admin/v1/audit/verify)', function () {
  this.timeout(60_000);
  let t: TestServer;
  let auditor: string;
  beforeEach(async () => {
    t = await startOtpServer({ clock: true, overlay: acmeWithAuditor });
    auditor = await t.clientToken('acme-audit');
  });
  afterEach(() => t.close());

  const raw = (path: string, accept: string, token = auditor) =>
    fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });

  it("finds a phone number's events through the keyed hash index, pages with a cursor, and never shows hashes or secrets", async () => {
    await driveTraffic(t);
    await t.server.container.cradle.projectionRunner.catchUp();
    const all = await t.get(`/admin/v1/audit/events?phone_number=${encodeURIComponent(phone)}&limit=1000`, auditor);
    expect(all.status).to.equal(200);
    const types = (all.body.result as { type: string }[]).map((r) => r.type);
    expect(types).to.include.members([
      'UserCreated',
      'IdentifierClaimed',
      'OtpIssued',
      'OtpVerified',
      'OtpFailed',
      'UserLockedOut',
      'PhoneVerified',
    ]);

    const first = await t.get(`/admin/v1/audit/events?phone_number=${encodeURIComponent(phone)}&limit=3`, auditor);
    const second = await t.get(
      `/admin/v1/audit/events?phone_number=${encodeURIComponent(phone)}&limit=3&cursor=${first.body.next_cursor}`,
      auditor,
    );
    expect([...first.body.result, ...second.body.result].map((r: { position: number }) => r.position)).to.deep.equal(
      all.body.result.slice(0, 6).map((r: { position: number }) => r.position),
    );

    const locked = await t.get('/admin/v1/audit/events?types=UserLockedOut,OtpVerified', auditor);
    expect(locked.body.result.map((r: { type: string }) => r.type)).to.deep.equal(['OtpVerified', 'UserLockedOut']);

    // every secret the store holds for this tenant, searched for in every export format
    const secrets: string[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll()) {
      const data = event.data as Record<string, unknown>;
      for (const key of ['codeHash', 'secretHash']) if (typeof data[key] === 'string') secrets.push(data[key] as string);
    }
    expect(secrets.length).to.be.greaterThan(3);
    for (const accept of ['application/json', 'application/x-ndjson', 'text/csv']) {
      const response = await raw('/admin/v1/audit/events?limit=1000', accept);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.contain(accept);
      const text = await response.text();
      expect(text).to.contain('OtpIssued');
      for (const secret of secrets) expect(text, accept).to.not.contain(secret);
    }
    const csv = await (await raw('/admin/v1/audit/events?types=OtpIssued', 'text/csv')).text();
    expect(csv.split('\r\n')[0]).to.equal('position,recordedAt,tenantId,stream,revision,type,actor,correlationId,id,chainHash,data');
    expect(csv.trim().split('\r\n')).to.have.length(3);
  });

  it('lets auditor and management clients read, not apps; records every audit query as AuditQueried', async () => {
    const app = await t.clientToken();
    expect((await t.get('/admin/v1/audit/events', app)).status).to.equal(403);
    expect((await t.get('/admin/v1/audit/verify', app)).status).to.equal(403);
    expect((await t.get('/admin/v1/audit/events', await t.clientToken('acme-admin'))).status).to.equal(200);
    expect((await t.get('/admin/v1/audit/events?types=OtpIssued', auditor)).status).to.equal(200);
    expect((await t.post('/admin/v1/applications', { name: 'x' }, auditor)).status).to.equal(403);
    const audit: RecordedEvent[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['audit-acme-'] } }))
      audit.push(event);
    // one stream per client and day, not one the whole tenant's audit reads contend for
    const day = t.clock!.now().toISOString().slice(0, 10);
    expect(audit.map((e) => e.streamName)).to.deep.equal([`audit-acme-${day}-acme-admin`, `audit-acme-${day}-acme-audit`]);
    expect(audit.map((e) => [e.type, (e.data as { actor: string }).actor])).to.deep.equal([
      ['AuditQueried', 'acme-admin'],
      ['AuditQueried', 'acme-audit'],
    ]);
    expect((audit[1]!.data as { filters: { types: string[] } }).filters.types).to.deep.equal(['OtpIssued']);
  });

  it('refuses a malformed filter with 400 naming it, before anything is recorded; a day is a time', async () => {
    const refused = async (query: string) => {
      const answer = await t.get(`/admin/v1/audit/events?${query}`, auditor);
      expect(answer.status, query).to.equal(400);
      return answer.body.error_description as string;
    };
    expect(await refused('from=yesterday')).to.equal('from must be an ISO 8601 time');
    expect(await refused('to=2026-02-30T00:00:00Z')).to.equal('to must be an ISO 8601 time');
    // RFC 3339 allows a leap second; a JavaScript Date cannot hold one (it was a 500)
    expect(await refused('from=2016-12-31T23:59:60Z')).to.equal('from must be an ISO 8601 time');
    expect(await refused('cursor=-1')).to.equal('cursor must be a global position (a non-negative integer)');
    expect(await refused('cursor=99999999999999999999')).to.equal('cursor must be a global position (a non-negative integer)');
    expect(await refused('limit=0&cursor=1.5')).to.equal(
      'cursor must be a global position (a non-negative integer); limit must be a whole number from 1 to 1000',
    );
    expect(await refused('limit=1001')).to.equal('limit must be a whole number from 1 to 1000');
    expect(await refused('user_id=a&user_id=b')).to.equal('user_id must be given once');
    expect(await refused('phone_number=abc')).to.match(/not a valid E\.164 phone number/);
    let queried = 0;
    for await (const _ of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['audit-acme-'] } })) queried++;
    expect(queried).to.equal(0);

    const since = await t.get('/admin/v1/audit/events?from=2026-01-01&types=OtpIssued&types=OtpVerified,UserCreated', auditor);
    expect(since.status).to.equal(200);
  });

  it('verifies the hash chains over HTTP', async () => {
    await driveTraffic(t);
    const report = await t.get('/admin/v1/audit/verify', auditor);
    expect(report.status).to.equal(200);
    expect(report.body).to.include({ ok: true });
    expect(report.body.events).to.be.greaterThan(10);
  });
});
