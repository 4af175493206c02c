import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { twilioFailure, twilioVerifyClient } from '../../../support/twilioVerifyClient.js';

const basic = `Basic ${Buffer.from('acme-web:acme-web-secret').toString('base64')}`;

/**
 * Verify's sends go through the one send path's SMS protection, with otpledger's defaults (not the relaxed
 * protection other tests run with): the tenant's destination rules and limits refuse them in Twilio's words.
 */
describe("Twilio Verify dialect: the tenant's SMS protection screens every send", function () {
  this.timeout(60_000);
  let t: TestServer;
  let serviceSid: string;
  let service: ReturnType<ReturnType<typeof twilioVerifyClient>['verify']['v2']['services']>;

  before(async () => {
    t = await startOtpServer({ clock: true, protection: 'defaults', overlay: { dev: { outbox: true } } });
    const admin = await t.clientToken('acme-admin');
    // the Default provider's evaluation cap (10/s) is not what these tests are about
    expect(
      (await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } }, admin)).status,
    ).to.equal(200);
    expect((await t.put('/admin/v1/sms-protection', { countries: { deny: ['GB'] } }, admin)).status).to.equal(200);
    serviceSid = (await twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret').verify.v2.services.create({ friendlyName: 'Acme' }))
      .sid;
    service = twilioVerifyClient(t.url, 'acme-web', 'acme-web-secret').verify.v2.services(serviceSid);
  });
  after(() => t.close());

  const refusals = async () => {
    const found: { reason: string; clientId: string }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: ['SmsSendRefused'] } }))
      found.push(event.data as never);
    return found;
  };

  it("a country the policy denies is 403 60605 (Geo Permissions' code), recorded as SmsSendRefused, and nothing is sent", async () => {
    const to = '+447400123456';
    const failure = await twilioFailure(service.verifications.create({ to, channel: 'sms' }));
    expect(failure).to.include({
      status: 403,
      code: 60605,
      message: 'Verification delivery attempt blocked: SMS to GB is not allowed for this tenant',
    });
    expect(failure.moreInfo).to.equal('https://www.twilio.com/docs/errors/60605');
    expect((await t.lastSms(to)).count).to.equal(0);
    expect((await refusals()).filter((refusal) => refusal.reason === 'country').map((refusal) => refusal.clientId)).to.deep.equal([
      serviceSid,
    ]);
  });

  it('a number type the policy denies (premium rate, by default) is 403 60605 too', async () => {
    const failure = await twilioFailure(service.verifications.create({ to: '+19005550123', channel: 'sms' }));
    expect(failure).to.include({ status: 403, code: 60605 });
    expect(failure.message).to.match(/PREMIUM_RATE/);
    expect((await t.lastSms('+19005550123')).count).to.equal(0);
  });

  it('a resend inside the per-number cooldown is 429 20429 with Retry-After, and the verification stays pending with its one code', async () => {
    const to = '+15125550177';
    const { sid } = await service.verifications.create({ to, channel: 'sms' });
    const tooSoon = await fetch(`${t.url}/v2/Services/${serviceSid}/Verifications`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: to, Channel: 'sms' }),
    });
    expect(tooSoon.status).to.equal(429);
    expect(Number(tooSoon.headers.get('retry-after'))).to.be.within(1, 30);
    expect(await tooSoon.json()).to.deep.include({ code: 20429, status: 429, more_info: 'https://www.twilio.com/docs/errors/20429' });
    expect((await twilioFailure(service.verifications.create({ to, channel: 'sms' }))).code).to.equal(20429);
    expect((await t.lastSms(to)).count).to.equal(1);
    expect(await service.verifications(sid).fetch()).to.deep.include({ sid, status: 'pending' });
    // once the cooldown is over the resend goes out under the same sid
    t.clock!.advance(30_000);
    const resent = await service.verifications.create({ to, channel: 'sms' });
    expect(resent.sid).to.equal(sid);
    expect(resent.sendCodeAttempts).to.have.length(2);
    expect((await service.verificationChecks.create({ to, code: (await t.lastSms(to)).code })).status).to.equal('approved');
  });
});
