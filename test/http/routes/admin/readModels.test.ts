import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

const phone = '+15125550188';

/** Projections trail the log by a moment: ask until the answer holds. */
async function eventually<T>(ask: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await ask();
    if (holds(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('read-model queries: OTP statistics and lockouts (GET /admin/v1/stats/otp, /admin/v1/lockouts)', function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async () => {
    t = await startOtpServer();
  });
  after(() => t.close());

  it('counts codes issued, verified and failed, SMS sent, lockouts, and the conversion rate, per app and country', async () => {
    const token = await t.clientToken();
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    const send = () => t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
    const authenticate = (passcode: string) =>
      t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier: phone }, token);
    await send();
    expect((await authenticate((await t.lastSms(phone)).code)).status).to.equal(200);
    await send();
    const { code } = await t.lastSms(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) await authenticate(wrong);

    const auditor = await t.clientToken('acme-admin');
    const today = new Date().toISOString().slice(0, 10);
    const stats = await eventually(
      () => t.get(`/admin/v1/stats/otp?from=${today}&to=${today}`, auditor),
      (r) => r.body?.result?.[0]?.lockouts === 1,
    );
    expect(stats.status).to.equal(200);
    expect(stats.body.result).to.have.length(1);
    expect(stats.body.result[0]).to.include({
      tenantId: 'acme',
      clientId: 'acme-web',
      countryCode: '1',
      day: today,
      issued: 2,
      verified: 1,
      failed: 3,
      lockouts: 1,
      smsSent: 2,
      smsFailed: 0,
      conversionRate: 0.5,
    });

    const lockouts = await eventually(
      () => t.get('/admin/v1/lockouts', auditor),
      (r) => r.body?.result?.length === 1,
    );
    expect(lockouts.body.result).to.have.length(1);
    expect(lockouts.body.result[0]).to.include({ tenantId: 'acme', purpose: 'login', failedAttempts: 3 });
    expect(JSON.stringify(lockouts.body)).not.to.contain(phone);
  });

  it('answers only management and auditor tokens, and checks the days', async () => {
    expect((await t.get('/admin/v1/stats/otp', await t.clientToken())).status).to.equal(403);
    expect((await t.get('/admin/v1/lockouts')).status).to.equal(401);
    const bad = await t.get('/admin/v1/stats/otp?from=yesterday', await t.clientToken('acme-admin'));
    expect(bad.status).to.equal(400);
    expect(bad.body.error_description).to.equal('from must be a day, YYYY-MM-DD');
    for (const impossible of ['2024-02-30', '2024-99-99'])
      expect((await t.get(`/admin/v1/stats/otp?from=${impossible}`, await t.clientToken('acme-admin'))).body.error_description).to.equal(
        'from must be a day, YYYY-MM-DD',
      );
    const admin = await t.clientToken('acme-admin');
    expect((await t.get('/admin/v1/stats/otp?from=2026-01-01&to=2026-1-2', admin)).body).to.deep.equal({
      error: 'invalid_request',
      error_description: 'to must be a day, YYYY-MM-DD',
    });
    expect((await t.get('/admin/v1/stats/otp?to=2026-01-01&to=2026-01-02', admin)).body.error_description).to.equal(
      'to must be given once',
    );
    expect((await t.get('/admin/v1/stats/otp?from=2026-01-01&to=2026-01-02', admin)).status).to.equal(200);
  });
});

describe('read-model queries: users (GET /admin/v1/users, /admin/v1/users/:user_id)', function () {
  this.timeout(30_000);
  let t: TestServer;
  before(async () => {
    t = await startOtpServer();
  });
  after(() => t.close());

  it("lists the tenant's users a page at a time and shows one, with the phone verified after a login", async () => {
    const token = await t.clientToken();
    const phones = ['+15125550171', '+15125550172', '+15125550173'];
    const ids: string[] = [];
    for (const phone of phones) ids.push((await t.post('/cis/v1/users', { phone_number: phone }, token)).body.result.user_id as string);
    await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phones[0] }, token);
    const login = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: (await t.lastSms(phones[0]!)).code, identifier_type: 'phone_number', identifier: phones[0] },
      token,
    );
    expect(login.status).to.equal(200);

    const admin = await t.clientToken('acme-admin');
    const one = await eventually(
      () => t.get(`/admin/v1/users/${ids[0]}`, admin),
      (r) => r.body?.result?.phone_number_verified === true,
    );
    expect(one.status).to.equal(200);
    expect(one.body.result).to.deep.equal({
      user_id: ids[0],
      phone_number: phones[0],
      phone_number_verified: true,
      email: null,
      username: null,
      apps: ['acme-web'],
    });

    const sorted = [...ids].sort();
    const first = await t.get('/admin/v1/users?limit=2', admin);
    expect(first.body.result.map((u: { user_id: string }) => u.user_id)).to.deep.equal(sorted.slice(0, 2));
    expect(first.body.next_cursor).to.equal(sorted[1]);
    const second = await t.get(`/admin/v1/users?limit=2&after=${encodeURIComponent(first.body.next_cursor as string)}`, admin);
    expect(second.body.result.map((u: { user_id: string }) => u.user_id)).to.deep.equal(sorted.slice(2));
    expect(second.body.next_cursor).to.equal(null);
  });

  it('answers management tokens only, 404 for an unknown user, 400 for a bad page size', async () => {
    const admin = await t.clientToken('acme-admin');
    expect((await t.get('/admin/v1/users', await t.clientToken())).status).to.equal(403);
    expect((await t.get('/admin/v1/users')).status).to.equal(401);
    const missing = await t.get('/admin/v1/users/no-such-user', admin);
    expect(missing.status).to.equal(404);
    expect(missing.body.error_description).to.equal('user not found');
    for (const limit of ['0', '501', 'ten', '1.5']) {
      const bad = await t.get(`/admin/v1/users?limit=${limit}`, admin);
      expect(bad.status, limit).to.equal(400);
      expect(bad.body.error_description).to.equal('limit must be a whole number from 1 to 500');
    }
    for (const [query, message] of [
      ['limit=0x10', 'limit must be a whole number from 1 to 500'],
      ['limit=1e2', 'limit must be a whole number from 1 to 500'],
      ['limit=5&limit=6', 'limit must be given once'],
      ['after=', 'after must be one non-empty value'],
      [`after=${'u'.repeat(201)}`, 'after must be one non-empty value'],
      ['after=a&after=b', 'after must be given once'],
    ]) {
      const bad = await t.get(`/admin/v1/users?${query}`, admin);
      expect(bad.status, query).to.equal(400);
      expect(bad.body.error_description, query).to.equal(message);
    }
  });
});
