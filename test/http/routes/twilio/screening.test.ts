import { expect } from 'chai';
import { acme, startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { twilioFailure, twilioVerifyClient } from '../../../support/twilioVerifyClient.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * The Twilio Verify dialect sends through the one send path: the same SMS protection screens it (otpledger's
 * defaults here), each refusal recorded as `SmsSendRefused` and answered in Twilio's words. The country, number
 * type and cooldown cases are in `smsProtection.test.ts`; these are the per-phone cap, the tenant budget and the
 * pumping guard, loud and silent.
 */
describe('Twilio Verify dialect: SMS protection screens its sends', function () {
  this.timeout(60_000);
  let t: TestServer;
  let serviceSid: string;
  let admin: string;
  let number = 0;
  const nextPhone = (range = '512555') => `+1${range}${String(1000 + number++).padStart(4, '0')}`;

  beforeEach(async () => {
    t = await startOtpServer({ clock: true, protection: 'defaults', overlay: { bootstrap: { tenants: [acme] }, dev: { outbox: true } } });
    serviceSid = (
      await twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret').verify.v2.services.create({ friendlyName: 'Acme Shop' })
    ).sid;
    admin = await t.clientToken('acme-admin');
    // the Default provider's evaluation cap (10/s) is not what these tests are about
    expect(
      (await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } }, admin)).status,
    ).to.equal(200);
  });
  afterEach(() => t.close());

  const service = () => twilioVerifyClient(t.url, 'acme-web', 'acme-web-secret').verify.v2.services(serviceSid);
  /** A raw create, to read the headers the SDK hides. */
  const create = (to: string) =>
    fetch(`${t.url}/v2/Services/${serviceSid}/Verifications`, {
      method: 'POST',
      headers: { authorization: basic('acme-web', 'acme-web-secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: to, Channel: 'sms' }),
    }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as any,
    }));
  const refusals = async () => {
    const found: { data: any; streamName: string }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: ['SmsSendRefused'] } }))
      found.push(event);
    return found;
  };
  const sentCount = async () => {
    let sent = 0;
    for await (const _event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: ['SmsSent'] } })) sent += 1;
    return sent;
  };

  it('the per-phone cap and the tenant budget are 429 20429; a loud pumping guard is 403 60410; none sends, none has an ipHash', async () => {
    expect(
      (
        await t.put(
          '/admin/v1/sms-protection',
          {
            limits: { phone: { cooldown_seconds: 0, max_sends: 2 }, tenant: { max_sends: 5 } },
            pumping_guard: { silent: false, floor: 4 },
          },
          admin,
        )
      ).status,
    ).to.equal(200);
    const to = nextPhone('512557');
    // two codes to one number (a pending verification resends), then its cap
    for (let i = 0; i < 2; i++) await service().verifications.create({ to, channel: 'sms' });
    const capped = await create(to);
    expect(capped.status).to.equal(429);
    expect(Number(capped.retryAfter)).to.be.greaterThan(3000);
    expect(capped.body).to.include({ code: 20429 });
    expect(capped.body.message).to.match(/^Too Many Requests: too many codes were sent to this number; try again in \d+ seconds$/);
    // a range with more unverified codes than the floor (4) is quarantined, and refused loudly
    for (let i = 0; i < 2; i++) await service().verifications.create({ to: nextPhone('512557'), channel: 'sms' });
    const held = await twilioFailure(service().verifications.create({ to: nextPhone('512557'), channel: 'sms' }));
    expect(held).to.include({ status: 403, code: 60410 });
    expect(held.message).to.match(
      /^Verification delivery attempt blocked: SMS to this number range are paused \(suspected SMS pumping\); try again in \d+ seconds$/,
    );
    // another range still gets its SMS, until the tenant's budget of 5 is spent
    await service().verifications.create({ to: nextPhone('512558'), channel: 'sms' });
    const spent = await twilioFailure(service().verifications.create({ to: nextPhone('512558'), channel: 'sms' }));
    expect(spent).to.include({ status: 429, code: 20429 });
    expect(spent.message).to.match(/^Too Many Requests: this tenant's SMS budget is spent for now; try again in \d+ seconds$/);
    expect(await sentCount()).to.equal(5);
    const recorded = await refusals();
    expect(recorded.map((e) => e.data.reason)).to.deep.equal(['phone_limit', 'pumping_guard', 'tenant_limit']);
    // Verify is called by the app's backend (Basic auth): never limited by address
    expect(
      recorded.every((e) => e.streamName.startsWith('otp-acme-verify-') && e.data.clientId === serviceSid && !('ipHash' in e.data)),
    ).to.equal(true);
  });

  it('the pumping guard holds back silently: every create answers pending alike, at most `floor` SMS go out', async () => {
    const answers = [];
    for (let i = 0; i < 40; i++) {
      const { status, body } = await create(nextPhone('512559'));
      answers.push([status, body.status, body.channel, body.valid]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a)))).to.deep.equal(new Set([JSON.stringify([201, 'pending', 'sms', false])]));
    expect(await sentCount()).to.equal(30);
    const held = (await refusals()).filter((e) => e.data.reason === 'pumping_guard');
    expect(held).to.have.length(10);
    expect(held.every((e) => e.data.silent === true && e.data.mode === 'enforce')).to.equal(true);
  });
});
