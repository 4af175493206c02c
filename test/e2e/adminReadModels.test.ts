import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const phone = '+15125550188';

describe('read-model queries: OTP statistics and lockouts (GET /admin/v1/stats/otp, /admin/v1/lockouts)', function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async () => {
    t = await startOtpServer();
  });
  after(() => t.close());

  /** Projections trail the log by a moment: ask until the answer holds. */
  async function eventually<T>(ask: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await ask();
      if (holds(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('counts codes issued, verified and failed, SMS sent, lockouts, and the conversion rate, per app and country', async () => {
    const token = await t.clientToken();
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    const send = () => t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
    const authenticate = (passcode: string) => t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier: phone }, token);
    await send();
    expect((await authenticate((await t.lastSms(phone)).code)).status).to.equal(200);
    await send();
    const { code } = await t.lastSms(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) await authenticate(wrong);

    const auditor = await t.clientToken('acme-admin');
    const today = new Date().toISOString().slice(0, 10);
    const stats = await eventually(() => t.get(`/admin/v1/stats/otp?from=${today}&to=${today}`, auditor), (r) => r.body?.result?.[0]?.lockouts === 1);
    expect(stats.status).to.equal(200);
    expect(stats.body.result).to.have.length(1);
    expect(stats.body.result[0]).to.include({
      tenantId: 'acme', clientId: 'acme-web', countryCode: '1', day: today,
      issued: 2, verified: 1, failed: 3, lockouts: 1, smsSent: 2, smsFailed: 0, conversionRate: 0.5,
    });

    const lockouts = await eventually(() => t.get('/admin/v1/lockouts', auditor), (r) => r.body?.result?.length === 1);
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
  });
});
