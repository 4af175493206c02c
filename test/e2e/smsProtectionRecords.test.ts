import { expect } from 'chai';
import { call } from '../support/auth0Client.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const known = '+15125550101';

/**
 * Where SMS protection's decisions show: one refusal of each kind, then `otp_stats` through
 * `GET /admin/v1/stats/otp` (refused per reason), the audit API's export (NDJSON and CSV) and its per-number filter.
 */
describe('SMS protection: every refusal is counted per reason and exported by the audit API', function () {
  this.timeout(60_000);
  let t: TestServer;
  let app: string;
  let admin: string;

  before(async () => {
    t = await startOtpServer({ clock: true, protection: 'defaults' });
    [app, admin] = [await t.clientToken('acme-web'), await t.clientToken('acme-admin')];
    const id = (await t.get('/api/v2/connections', admin)).body[0].id;
    expect(
      (await call(t.url, 'PATCH', `/api/v2/connections/${id}`, { enabled_clients: ['acme-web', 'acme-mobile'] }, { token: admin })).status,
    ).to.equal(200);
    expect((await t.post('/cis/v1/users', { phone_number: known }, app)).status).to.equal(201);
    expect(
      (await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } }, admin)).status,
    ).to.equal(200);
    expect(
      (
        await t.put(
          '/admin/v1/sms-protection',
          {
            countries: { deny: ['GB'] },
            limits: { phone: { cooldown_seconds: 30, max_sends: 2 }, ip: { max_sends: 2 }, tenant: { max_sends: 6 } },
          },
          admin,
        )
      ).status,
    ).to.equal(200);

    const cisSend = (identifier: string) =>
      call(t.url, 'POST', '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier }, { token: app });
    const start = (phone_number: string, secret?: string) =>
      call(t.url, 'POST', '/passwordless/start', {
        client_id: secret ? 'acme-web' : 'acme-mobile',
        ...(secret && { client_secret: secret }),
        connection: 'sms',
        phone_number,
        send: 'code',
      });
    const expectStatus = async (answer: Promise<{ status: number }>, status: number) => expect((await answer).status).to.equal(status);
    await expectStatus(cisSend(known), 200); // 1 of the tenant's 6
    t.clock!.advance(10_000);
    await expectStatus(cisSend(known), 429); // cooldown
    t.clock!.advance(31_000);
    await expectStatus(cisSend(known), 200); // 2
    t.clock!.advance(31_000);
    await expectStatus(cisSend(known), 429); // phone_limit
    await expectStatus(cisSend('+442079460123'), 403); // country
    await expectStatus(cisSend('+19002345678'), 403); // number_type
    await expectStatus(start('+15125550201'), 200); // 3, public client: address counted
    await expectStatus(start('+15125550202'), 200); // 4
    await expectStatus(start('+15125550203'), 429); // ip_limit
    await expectStatus(start('+15125550204', 'acme-web-secret'), 200); // 5, confidential: not by address
    await expectStatus(start('+15125550205', 'acme-web-secret'), 200); // 6
    await expectStatus(start('+15125550206', 'acme-web-secret'), 429); // tenant_limit
    await t.server.container.cradle.projectionRunner.catchUp();
  });
  after(() => t.close());

  const reasons = ['cooldown', 'phone_limit', 'country', 'number_type', 'ip_limit', 'tenant_limit'];

  it('GET /admin/v1/stats/otp counts the refusals per reason beside the sends', async () => {
    const rows = (await t.get('/admin/v1/stats/otp', admin)).body.result as { refused: Record<string, number>; sent?: number }[];
    const total = (reason: string) => rows.reduce((sum, row) => sum + (row.refused[reason] ?? 0), 0);
    expect(Object.fromEntries([...reasons, 'pumping_guard'].map((reason) => [reason, total(reason)]))).to.deep.equal({
      cooldown: 1,
      phone_limit: 1,
      country: 1,
      number_type: 1,
      ip_limit: 1,
      tenant_limit: 1,
      pumping_guard: 0,
    });
  });

  it('the audit export (NDJSON and CSV) carries every SmsSendRefused, with keyed hashes and no number or address', async () => {
    const exported = async (accept: string) => {
      const response = await fetch(`${t.url}/admin/v1/audit/events?types=SmsSendRefused`, {
        headers: { authorization: `Bearer ${admin}`, accept },
      });
      expect(response.status).to.equal(200);
      return response.text();
    };
    const ndjson = await exported('application/x-ndjson');
    const records = ndjson
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; stream: string; data: Record<string, unknown> });
    expect(records.map((record) => record.data.reason)).to.deep.equal(reasons);
    expect(records.every((record) => record.type === 'SmsSendRefused' && record.stream.startsWith('otp-acme-login-'))).to.equal(true);
    expect(records[0]!.data).to.include({
      mode: 'enforce',
      clientId: 'acme-web',
      country: 'US',
      prefix: '+1512555',
      retryAfterSeconds: 20,
    });
    expect(records[0]!.data.phoneHash).to.match(/^[0-9a-f]{64}$/);
    expect(records[4]!.data.ipHash).to.match(/^[0-9a-f]{64}$/);
    const csv = await exported('text/csv');
    expect(csv.trim().split('\n')).to.have.length(1 + reasons.length);
    for (const text of [ndjson, csv]) {
      for (const secret of [known, '+442079460123', '+19002345678', '+15125550203', '127.0.0.1'])
        expect(text).to.not.contain(secret.replace(/^\+/, ''));
    }
  });

  it("the audit API finds one number's refusals by its phone_number", async () => {
    const answer = await t.get(`/admin/v1/audit/events?types=SmsSendRefused&phone_number=${encodeURIComponent(known)}`, admin);
    expect(answer.status).to.equal(200);
    expect(answer.body.result.map((record: { data: { reason: string } }) => record.data.reason)).to.deep.equal(['cooldown', 'phone_limit']);
  });
});
