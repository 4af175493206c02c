import { expect } from 'chai';
import { PASSWORDLESS_OTP_GRANT } from '../../core/http/routes/auth0/token.js';
import { call, type CallOptions } from '../support/auth0Client.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const known = '+15125550101';
const unknown = '+15125550199';

/** SMS protection with otpledger's defaults, end to end through a real server, in both dialects. */
describe('SMS protection: limits, destinations and the pumping guard', function () {
  this.timeout(60_000);
  let t: TestServer;
  let app: string;
  let admin: string;

  beforeEach(async () => {
    t = await startOtpServer({ clock: true, protection: 'defaults' });
    [app, admin] = [await t.clientToken('acme-web'), await t.clientToken('acme-admin')];
    const id = (await t.get('/api/v2/connections', admin)).body[0].id;
    expect(
      (await call(t.url, 'PATCH', `/api/v2/connections/${id}`, { enabled_clients: ['acme-web', 'acme-mobile'] }, { token: admin })).status,
    ).to.equal(200);
    expect((await t.post('/cis/v1/users', { phone_number: known }, app)).status).to.equal(201);
    // the Default provider's evaluation cap (10/s) is not what these tests are about
    expect(
      (await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } }, admin)).status,
    ).to.equal(200);
  });
  /** The manual clock runs past the tokens' hour in some tests. */
  const freshTokens = async () => void ([app, admin] = [await t.clientToken('acme-web'), await t.clientToken('acme-admin')]);
  afterEach(() => t.close());

  const policy = (body: unknown, token = admin) => t.put('/admin/v1/sms-protection', body, token);
  const cisSend = (identifier: string, identifier_type = 'phone_number') =>
    call(t.url, 'POST', '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type, identifier }, { token: app });
  const start = (phone_number: string, options: CallOptions = {}, extra: Record<string, string> = {}) =>
    call(
      t.url,
      'POST',
      '/passwordless/start',
      { client_id: 'acme-mobile', connection: 'sms', phone_number, send: 'code', ...extra },
      options,
    );
  const events = async (type: string) => {
    const found: { type: string; data: any; streamName: string }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: [type] } })) found.push(event);
    return found;
  };
  const sentCount = async () => (await events('SmsSent')).length;
  const withoutId = ({ status, body }: { status: number; body: Record<string, unknown> }) => {
    const { _id: _id, phone_number: _phone, ...rest } = body;
    return [status, rest];
  };

  describe('the policy API', () => {
    it('GET shows the defaults; PUT replaces the whole policy and {} returns to the defaults; a 400 names the field; app tokens may not', async () => {
      const defaults = (await t.get('/admin/v1/sms-protection', admin)).body.result;
      expect(defaults).to.deep.equal({
        countries: { allow: [] },
        number_types: { deny: ['PREMIUM_RATE', 'SHARED_COST'] },
        limits: {
          phone: { cooldown_seconds: 30, max_sends: 5, window_minutes: 60 },
          ip: { max_sends: 50, window_minutes: 60 },
          tenant: { max_sends: 10000, window_minutes: 60 },
        },
        pumping_guard: { mode: 'enforce', silent: true, floor: 30, ratio: 0.5 },
      });
      const changed = await policy({ countries: { deny: ['GB'] }, limits: { phone: { cooldown_seconds: 10 } } });
      expect(changed.status).to.equal(200);
      expect(changed.body.result.countries).to.deep.equal({ deny: ['GB'] });
      expect(changed.body.result.limits.phone).to.deep.equal({ cooldown_seconds: 10, max_sends: 5, window_minutes: 60 });
      expect((await policy({})).body.result).to.deep.equal(defaults);

      const bad = await policy({ limits: { phone: { cooldown_seconds: -1 } }, countries: { allow: ['XX'] }, extra: true });
      expect(bad.status).to.equal(400);
      expect(bad.body.error_description).to.contain('/limits/phone/cooldown_seconds').and.to.contain('/extra');
      expect((await policy({ countries: { allow: ['XX'] } })).body.error_description).to.equal(
        '/countries/allow/0 "XX" is not a country with phone numbers (ISO 3166 alpha-2)',
      );
      expect((await policy({ countries: { allow: ['US'], deny: ['GB'] } })).body.error_description).to.equal(
        '/countries has allow or deny, not both',
      );
      expect((await t.get('/admin/v1/sms-protection', app)).status).to.equal(403);
      expect((await policy({}, app)).status).to.equal(403);
    });

    it('is part of time travel: kind=protection answers the policy in force at a moment', async () => {
      const before = (await t.get(`/admin/v1/state?kind=protection`, admin)).body.result;
      expect(before.state).to.include({ defaults: true });
      await policy({ limits: { phone: { cooldown_seconds: 10 } } });
      const firstAt = t.clock!.now().toISOString();
      t.clock!.advance(60_000);
      await policy({ limits: { phone: { cooldown_seconds: 20 } } });
      const then = (await t.get(`/admin/v1/state?kind=protection&at=${firstAt}`, admin)).body.result;
      expect(then.state.policy.limits.phone.cooldown_seconds).to.equal(10);
      const now = (await t.get(`/admin/v1/state?kind=protection`, admin)).body.result;
      expect(now.state.policy.limits.phone.cooldown_seconds).to.equal(20);
      expect(now.asOfPosition).to.be.greaterThan(then.asOfPosition);
      expect((await events('SmsProtectionConfigured')).map((e) => e.streamName)).to.deep.equal(['tenantsms-acme', 'tenantsms-acme']);
    });
  });

  describe('cooldown and per-phone cap', () => {
    it('/cis: an immediate resend is 429 with Retry-After and one SMS, for a known and an unknown phone alike', async () => {
      expect((await cisSend(known)).status).to.equal(200);
      expect((await cisSend(unknown)).status).to.equal(200);
      t.clock!.advance(10_000);
      const [again, againUnknown] = [await cisSend(known), await cisSend(unknown)];
      expect(again).to.deep.equal({
        status: 429,
        body: { message: 'a code was just sent to this number; try again in 20 seconds', error_code: 429 },
      });
      expect(again.headers['retry-after']).to.equal('20');
      expect(againUnknown).to.deep.equal(again);
      expect(againUnknown.headers['retry-after']).to.equal('20');
      expect((await t.lastSms(known)).count).to.equal(1);
      t.clock!.advance(20_000);
      expect((await cisSend(known)).status).to.equal(200);
    });

    it('Auth0: an immediate restart is 429 too_many_requests with Retry-After', async () => {
      expect((await start(known)).status).to.equal(200);
      const again = await start(known);
      expect(again).to.deep.equal({
        status: 429,
        body: { error: 'too_many_requests', error_description: 'a code was just sent to this number; try again in 30 seconds' },
      });
      expect(again.headers['retry-after']).to.equal('30');
      expect((await t.lastSms(known)).count).to.equal(1);
    });

    it('caps a phone at max_sends per window, known and unknown alike, and records each refusal', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await cisSend(known)).status).to.equal(200);
        expect((await cisSend(unknown)).status).to.equal(200);
        t.clock!.advance(31_000);
      }
      const [capped, cappedUnknown] = [await cisSend(known), await cisSend(unknown)];
      expect(capped.status).to.equal(429);
      expect(capped.body.message).to.match(/^too many codes were sent to this number; try again in \d+ seconds$/);
      expect(cappedUnknown).to.deep.equal(capped);
      const refusals = await events('SmsSendRefused');
      expect(refusals.map((e) => e.data.reason)).to.deep.equal(['phone_limit', 'phone_limit']);
      expect(JSON.stringify(refusals)).not.to.contain(known.slice(1)).and.not.to.contain(unknown.slice(1));
      t.clock!.advance(3600_000);
      await freshTokens();
      expect((await cisSend(known)).status).to.equal(200);
    });
  });

  describe('the per-phone cap through the Auth0 dialect', () => {
    it('caps /passwordless/start at max_sends per window for a number, 429 too_many_requests with Retry-After', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await start(known)).status).to.equal(200);
        t.clock!.advance(31_000);
      }
      const capped = await start(known);
      expect(capped.status).to.equal(429);
      expect(capped.body.error).to.equal('too_many_requests');
      expect(capped.body.error_description).to.match(/^too many codes were sent to this number; try again in \d+ seconds$/);
      expect(Number(capped.headers['retry-after'])).to.equal(3600 - 5 * 31);
      expect((await t.lastSms(known)).count).to.equal(5);
    });
  });

  describe('per address, for public clients', () => {
    it('limits /passwordless/start without a secret per caller address; a confidential call is not limited by address', async () => {
      await policy({ limits: { ip: { max_sends: 3 } } });
      const A = { localAddress: '127.0.0.1' };
      const B = { localAddress: '127.0.0.2' };
      for (let i = 0; i < 3; i++) expect((await start(`+1512555020${i}`, A)).status).to.equal(200);
      const limited = await start('+15125550209', A);
      expect(limited.status).to.equal(429);
      expect(limited.body.error_description).to.match(/^too many SMS were requested from this address; try again in \d+ seconds$/);
      expect((await start('+15125550209', B)).status).to.equal(200);
      // with its secret, the call comes from the app's backend: its address says nothing about the end user
      expect((await start('+15125550208', A, { client_id: 'acme-web', client_secret: 'acme-web-secret' })).status).to.equal(200);
      const [refusal] = await events('SmsSendRefused');
      expect(refusal!.data).to.include({ reason: 'ip_limit', mode: 'enforce' });
      expect(refusal!.data.ipHash).to.match(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(refusal)).not.to.contain('127.0.0.1');
    });
  });

  describe('behind a proxy', () => {
    it('reads X-Forwarded-For only from server.trustedProxies; otherwise the header is ignored', async () => {
      await policy({ limits: { ip: { max_sends: 1 } } });
      const via = (address: string) => ({ headers: { 'x-forwarded-for': address } });
      // not trusted (the default): every caller is the socket's peer, whatever the header says
      expect((await start('+15125550501', via('203.0.113.5'))).status).to.equal(200);
      expect((await start('+15125550502', via('203.0.113.6'))).status).to.equal(429);

      const proxied = await startOtpServer({
        protection: 'defaults',
        overlay: { server: { host: '127.0.0.1', port: 0, trustedProxies: ['127.0.0.0/8'] } },
      });
      try {
        const admin2 = await proxied.clientToken('acme-admin');
        const id = (await proxied.get('/api/v2/connections', admin2)).body[0].id;
        await call(proxied.url, 'PATCH', `/api/v2/connections/${id}`, { enabled_clients: ['acme-web', 'acme-mobile'] }, { token: admin2 });
        await proxied.put('/admin/v1/sms-protection', { limits: { ip: { max_sends: 1 } } }, admin2);
        const startVia = (phone_number: string, forwarded: string) =>
          call(
            proxied.url,
            'POST',
            '/passwordless/start',
            { client_id: 'acme-mobile', connection: 'sms', phone_number, send: 'code' },
            via(forwarded),
          );
        expect((await startVia('+15125550501', '203.0.113.5')).status).to.equal(200);
        expect((await startVia('+15125550502', '203.0.113.5')).status).to.equal(429);
        // the client is the right-most address that is not a trusted proxy
        expect((await startVia('+15125550503', '203.0.113.6, 127.0.0.9')).status).to.equal(200);
        expect((await startVia('+15125550504', '198.51.100.1, 203.0.113.6')).status).to.equal(429);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('per tenant', () => {
    it('refuses once the tenant budget for the window is spent, whoever the number', async () => {
      await policy({ limits: { tenant: { max_sends: 3 } } });
      // an unknown identifier's code is never sent: it spends nothing...
      for (let i = 0; i < 5; i++) expect((await cisSend(`+1512555040${i}`)).status).to.equal(200);
      for (let i = 0; i < 3; i++) expect((await start(`+1512555030${i}`)).status).to.equal(200);
      // ...yet the spent budget answers it alike
      const [spent, spentUnknown] = [await cisSend(known), await cisSend('+15125550399')];
      expect(spent.status).to.equal(429);
      expect(spent.body.message).to.match(/^this tenant's SMS budget is spent for now; try again in \d+ seconds$/);
      expect(spentUnknown).to.deep.equal(spent);
      expect((await start(known)).status).to.equal(429);
      t.clock!.advance(3600_000);
      await freshTokens();
      expect((await start(known)).status).to.equal(200);
    });
  });

  describe('countries and number types', () => {
    it('refuses a denied country before any lookup, naming it, the same for known and unknown numbers, in both dialects; nothing is sent', async () => {
      await t.post('/cis/v1/users', { phone_number: '+442079460123' }, app);
      await policy({ countries: { deny: ['GB'] } });
      const [knownGb, unknownGb] = [await cisSend('+442079460123'), await cisSend('+442079460124')];
      expect(knownGb).to.deep.equal({ status: 403, body: { message: 'SMS to GB is not allowed for this tenant', error_code: 403 } });
      expect(unknownGb).to.deep.equal(knownGb);
      expect(await start('+442079460123')).to.deep.equal({
        status: 403,
        body: { error: 'access_denied', error_description: 'SMS to GB is not allowed for this tenant' },
      });
      expect(await start('+19002345678')).to.deep.equal({
        status: 403,
        body: { error: 'access_denied', error_description: 'SMS to PREMIUM_RATE numbers is not allowed for this tenant' },
      });
      expect((await cisSend(known)).status).to.equal(200);
      await policy({ countries: { allow: ['GB'] } });
      t.clock!.advance(31_000);
      expect((await cisSend(known)).body.message).to.equal('SMS to US is not allowed for this tenant');
      expect(await sentCount()).to.equal(1);
      expect((await events('SmsSendRefused')).map((e) => e.data.reason)).to.deep.equal([
        'country',
        'country',
        'country',
        'number_type',
        'country',
      ]);
    });

    it('refuses premium-rate numbers by default, naming the type', async () => {
      const premium = await cisSend('+19002345678');
      expect(premium).to.deep.equal({
        status: 403,
        body: { message: 'SMS to PREMIUM_RATE numbers is not allowed for this tenant', error_code: 403 },
      });
      expect(await sentCount()).to.equal(0);
    });

    it('holds back silently when a user found by email has a number in a denied country: the answer must not say the email exists', async () => {
      await t.post('/cis/v1/users', { phone_number: '+442079460123', email: 'gb@example.com' }, app);
      await policy({ countries: { deny: ['GB'] } });
      const [byEmail, stranger] = [await cisSend('gb@example.com', 'email'), await cisSend('nobody@example.com', 'email')];
      expect(byEmail).to.deep.equal({ status: 200, body: { message: 'OTP sent' } });
      expect(stranger).to.deep.equal(byEmail);
      expect(await sentCount()).to.equal(0);
      expect((await events('SmsSendRefused')).map((e) => [e.data.reason, e.data.silent])).to.deep.equal([['country', true]]);
    });
  });

  describe('pumping guard', () => {
    const burst = async (count: number, prefix = '+1512555') => {
      const answers = [];
      for (let i = 0; i < count; i++) answers.push(withoutId(await start(`${prefix}${String(1000 + i).padStart(4, '0')}`)));
      return answers;
    };

    it('300 starts to distinct numbers of one range, none verified: at most 50 SMS, every answer alike, the range quarantined with its evidence, then released', async () => {
      await policy({ limits: { ip: { max_sends: 100_000 } } });
      const answers = await burst(300);
      expect(new Set(answers.map((a) => JSON.stringify(a))).size, JSON.stringify(answers.slice(0, 3))).to.equal(1);
      expect(answers[0]).to.deep.equal([200, { phone_verified: false, request_language: null }]);
      const sent = await sentCount();
      expect(sent).to.be.at.most(50).and.at.least(25);
      const [quarantined] = await events('PrefixQuarantined');
      expect(quarantined!.data).to.include({ tenantId: 'acme', prefix: '+1512555', mode: 'enforce' });
      expect(quarantined!.data.evidencePositions).to.have.length.greaterThan(0);
      expect(Date.parse(quarantined!.data.until) - Date.parse(quarantined!.data.quarantinedAt)).to.equal(12 * 3600_000);
      const held = (await events('SmsSendRefused')).filter((e) => e.data.reason === 'pumping_guard');
      expect(held).to.have.length(300 - sent);
      expect(held[0]!.data).to.include({ mode: 'enforce', silent: true, prefix: '+1512555' });
      expect((await events('SmsWithheld')).length).to.equal(300 - sent);
      // the stats and the audit show it
      await t.server.container.cradle.projectionRunner.catchUp();
      const stats = (await t.get('/admin/v1/stats/otp', admin)).body.result;
      expect(stats.reduce((sum: number, row: { refused: Record<string, number> }) => sum + (row.refused.pumping_guard ?? 0), 0)).to.equal(
        300 - sent,
      );
      const audit = await t.get('/admin/v1/audit/events?types=SmsSendRefused,PrefixQuarantined&limit=1000', admin);
      expect(audit.body.result.map((e: { type: string }) => e.type)).to.include('PrefixQuarantined');
      // 12 hours later it lifts by itself: the next send is released and sent
      t.clock!.advance(12 * 3600_000 + 1000);
      await start('+15125559999');
      expect(await events('PrefixReleased')).to.have.length(1);
      expect(await sentCount()).to.equal(sent + 1);
    });

    it('never holds back a range whose codes are being verified, nor a number that verified before', async () => {
      await policy({ limits: { ip: { max_sends: 100_000 } } });
      // a healthy range: every code is used
      for (let i = 0; i < 60; i++) {
        const phone = `+1512556${String(1000 + i).padStart(4, '0')}`;
        await start(phone);
        const otp = (await t.lastSms(phone)).code;
        expect(
          (
            await call(
              t.url,
              'POST',
              '/oauth/token',
              { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-mobile', username: phone, otp, realm: 'sms' },
              { form: true },
            )
          ).status,
        ).to.equal(200);
      }
      expect(await sentCount()).to.equal(60);
      expect(await events('PrefixQuarantined')).to.have.length(0);
      // a quarantined range: a number that verified before still gets its code
      const verified = '+15125551999';
      await start(verified);
      await call(
        t.url,
        'POST',
        '/oauth/token',
        {
          grant_type: PASSWORDLESS_OTP_GRANT,
          client_id: 'acme-mobile',
          username: verified,
          otp: (await t.lastSms(verified)).code,
          realm: 'sms',
        },
        { form: true },
      );
      await burst(60);
      expect(await events('PrefixQuarantined')).to.have.length(1);
      t.clock!.advance(31_000);
      const before = (await t.lastSms(verified)).count;
      expect((await start(verified)).status).to.equal(200);
      expect((await t.lastSms(verified)).count).to.equal(before + 1);
    });

    it('/cis: known users of one range past the floor are held back silently, answered as sent', async () => {
      const phones = Array.from({ length: 40 }, (_, i) => `+1512557${String(1000 + i).padStart(4, '0')}`);
      for (const phone of phones) expect((await t.post('/cis/v1/users', { phone_number: phone }, app)).status).to.equal(201);
      const answers = [];
      for (const phone of phones) answers.push(withoutId(await cisSend(phone)));
      expect(new Set(answers.map((a) => JSON.stringify(a)))).to.deep.equal(new Set([JSON.stringify([200, { message: 'OTP sent' }])]));
      expect(await sentCount()).to.equal(30);
      expect((await events('SmsSendRefused')).filter((e) => e.data.reason === 'pumping_guard' && e.data.silent)).to.have.length(10);
    });

    it('/cis with silent: false, a quarantined range refuses a known user and an unknown number alike', async () => {
      await policy({ pumping_guard: { silent: false } });
      const phones = Array.from({ length: 32 }, (_, i) => `+1512557${String(1000 + i).padStart(4, '0')}`);
      for (const phone of phones) expect((await t.post('/cis/v1/users', { phone_number: phone }, app)).status).to.equal(201);
      for (const phone of phones.slice(0, 30)) expect((await cisSend(phone)).status).to.equal(200);
      const [knownHeld, unknownHeld] = [await cisSend(phones[30]!), await cisSend('+15125579999')];
      expect(knownHeld.status).to.equal(429);
      expect(knownHeld.body.message).to.match(/^SMS to this number range are paused \(suspected SMS pumping\); try again in \d+ seconds$/);
      expect(unknownHeld).to.deep.equal(knownHeld);
      expect(unknownHeld.headers['retry-after']).to.equal(knownHeld.headers['retry-after']);
    });

    it('monitor records what it would hold back and sends anyway', async () => {
      await policy({ limits: { ip: { max_sends: 100_000 } }, pumping_guard: { mode: 'monitor' } });
      await burst(60);
      expect(await sentCount()).to.equal(60);
      const flagged = (await events('SmsSendRefused')).filter((e) => e.data.reason === 'pumping_guard');
      expect(flagged.length).to.be.greaterThan(0);
      expect(flagged.every((e) => e.data.mode === 'monitor')).to.equal(true);
      expect((await events('PrefixQuarantined'))[0]!.data.mode).to.equal('monitor');
    });

    it('silent: false refuses a held-back send with 429 instead of answering it as sent', async () => {
      await policy({ limits: { ip: { max_sends: 100_000 } }, pumping_guard: { silent: false } });
      const answers = await burst(40);
      expect(answers.at(-1)![0]).to.equal(429);
      expect(await sentCount()).to.be.at.most(31);
    });
  });
});
