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

  it('verifies the hash chains over HTTP', async () => {
    await driveTraffic(t);
    const report = await t.get('/admin/v1/audit/verify', auditor);
    expect(report.status).to.equal(200);
    expect(report.body).to.include({ ok: true });
    expect(report.body.events).to.be.greaterThan(10);
  });
});
