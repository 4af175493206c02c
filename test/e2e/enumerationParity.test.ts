import { asValue } from 'awilix';
import { expect } from 'chai';
import { PASSWORDLESS_OTP_GRANT } from '../../core/http/routes/auth0/token.js';
import { EgressGuard } from '../../core/sms/egressGuard.js';
import { defaultDispatchPolicy } from '../../core/sms/smsDispatcher.js';
import { startAuth0Gateway } from '../plugins/sms-gateway/auth0Gateway.js';
import { call } from '../support/auth0Client.js';
import { startCustomGateway } from '../support/customGatewayServer.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const known = '+15125550101';
const unknown = '+15125550199';

/**
 * Known and unknown identifiers answer alike: status and body, in every case the answer could differ in
 * (a send, wrong codes up to the lockout, the provider's cap, a provider outage), on /cis and on Auth0.
 * Timing is measured by `npm run bench:enumeration`, not here.
 */
describe('enumeration: known and unknown identifiers answer alike', function () {
  this.timeout(30_000);
  let t: TestServer;
  let app: string;
  let admin: string;

  beforeEach(async () => {
    // retries do not sleep: the rate-cap case would otherwise wait out the backoff
    const policy = { ...defaultDispatchPolicy, timeoutMs: 300, sleep: async () => undefined };
    t = await startOtpServer({ overrides: { smsDispatchPolicy: asValue(policy) } });
    [app, admin] = [await t.clientToken('acme-web'), await t.clientToken('acme-admin')];
    expect((await t.post('/cis/v1/users', { phone_number: known, email: 'ada@example.com' }, app)).status).to.equal(201);
  });
  afterEach(() => t.close());

  const send = (identifier: string, identifier_type = 'phone_number') =>
    t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type, identifier }, app);
  const authenticate = (identifier: string, passcode: string, identifier_type = 'phone_number') =>
    t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type, identifier }, app);
  const answer = (r: { status: number; body: unknown }) => [r.status, r.body];
  /** A code the known phone was not sent (its latest one is read from the outbox). */
  const wrongCode = async () => ((await t.lastSms(known)).code === '000000' ? '111111' : '000000');

  it('/cis send: the same answer for a known and an unknown phone, email, username and user id; only the known one gets an SMS', async () => {
    expect(answer(await send(unknown))).to.deep.equal(answer(await send(known)));
    expect(answer(await send('bob@example.com', 'email'))).to.deep.equal(answer(await send('ada@example.com', 'email')));
    expect(answer(await send('nobody', 'username'))).to.deep.equal([200, { message: 'OTP sent' }]);
    expect(answer(await send('2b2d9f38-0000-4000-8000-000000000000', 'user_id'))).to.deep.equal([200, { message: 'OTP sent' }]);
    expect((await t.lastSms(known)).count).to.equal(2);
    expect((await t.lastSms(unknown)).count).to.equal(0);
  });

  it('/cis lockout oracle: four wrong codes answer 401, 401, 401, 429 for a known and an unknown phone alike', async () => {
    for (const phone of [known, unknown]) {
      expect((await send(phone)).status).to.equal(200);
      const wrong = await wrongCode();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await authenticate(phone, wrong)).status);
      expect(statuses, phone).to.deep.equal([401, 401, 401, 429]);
      const locked = await send(phone);
      expect(locked.status, phone).to.equal(429);
      expect(locked.body.message).to.match(/^too many failed attempts; locked until /);
    }
    // the same for an email address: the unknown one is counted against its keyed hash
    await t.post('/cis/v1/users', { phone_number: '+15125550102', email: 'cy@example.com' }, app);
    for (const email of ['cy@example.com', 'bob@example.com']) {
      await send(email, 'email');
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await authenticate(email, '999999', 'email')).status);
      expect(statuses, email).to.deep.equal([401, 401, 401, 429]);
    }
  });

  it('/cis lockout events of an unknown identifier are in its own stream, by keyed hash, with no number in them', async () => {
    await send(unknown);
    for (let i = 0; i < 3; i++) await authenticate(unknown, '000000');
    const events: { type: string; streamName: string; data: unknown }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['otp-acme-login-'] } }))
      events.push(event);
    expect(events.map((e) => e.type)).to.deep.equal([
      'OtpRequestedForUnknownIdentifier',
      'SmsWithheld',
      'OtpFailed',
      'OtpFailed',
      'OtpFailed',
      'UserLockedOut',
    ]);
    expect(new Set(events.map((e) => e.streamName)).size).to.equal(1);
    expect(JSON.stringify(events)).not.to.contain(unknown.slice(1));
    let tenantWide = 0;
    for await (const _event of t.server.container.cradle.eventStore.readAll({
      filter: { streamPrefixes: ['otpunknown-', 'smsdelivery-'] },
    }))
      tenantWide += 1;
    expect(tenantWide).to.equal(0);
  });

  it("/cis rate-cap oracle: an unknown identifier spends the Default provider's cap and is refused by it exactly as a known one", async () => {
    expect(
      (await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 0.001, burst: 2 } }, admin)).status,
    ).to.equal(200);
    const answers = [];
    for (const phone of [unknown, known, unknown, known]) answers.push(answer(await send(phone)));
    const refused = [502, { message: 'the SMS could not be delivered (rate_limited)', error_code: 502 }];
    expect(answers).to.deep.equal([[200, { message: 'OTP sent' }], [200, { message: 'OTP sent' }], refused, refused]);
  });

  it('/cis provider outage: an unknown identifier gets the error the provider gives known ones', async () => {
    const gateway = await startCustomGateway('key-1234');
    try {
      expect(
        (
          await t.put(
            '/cis/v1/tenantsmsproviders',
            { provider: 'CustomGateway', custom_gateway: { uri: `${gateway.url}/sms`, api_key: 'key-1234' } },
            admin,
          )
        ).status,
      ).to.equal(200);
      gateway.controls.setMode('reject');
      const knownAnswer = await send(known);
      expect(knownAnswer.status).to.equal(502);
      expect(answer(await send(unknown))).to.deep.equal(answer(knownAnswer));
      gateway.controls.setMode('succeed');
      expect(answer(await send(known))).to.deep.equal([200, { message: 'OTP sent' }]);
      expect(gateway.controls.received().filter((sms) => sms.to === unknown)).to.deep.equal([]);
    } finally {
      await gateway.controls.close();
    }
  });

  it('/cis a configuration refused at send time (its name now resolves inside): an unknown identifier is refused as a known one', async () => {
    const gateway = await startAuth0Gateway();
    let answerWith = ['93.184.215.14'];
    const egress = new EgressGuard({ allowPrivateNetworks: false, resolve: async () => answerWith });
    const guarded = await startOtpServer({
      overlay: { sms: { allowPrivateNetworks: false } },
      overrides: { egress: asValue(egress), smsDispatchPolicy: asValue({ ...defaultDispatchPolicy, sleep: async () => undefined }) },
    });
    try {
      const [guardedApp, guardedAdmin] = [await guarded.clientToken('acme-web'), await guarded.clientToken('acme-admin')];
      await guarded.post('/cis/v1/users', { phone_number: known }, guardedApp);
      const configured = await guarded.put(
        '/cis/v1/tenantsmsproviders',
        { provider: 'sms_gateway', sms_gateway: { gateway_url: `http://gw.test:${new URL(gateway.url).port}/sms`, from: 'Acme' } },
        guardedAdmin,
      );
      expect(configured.status, JSON.stringify(configured.body)).to.equal(200);
      answerWith = ['127.0.0.1'];
      const sendTo = (identifier: string) =>
        guarded.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier }, guardedApp);
      const knownAnswer = answer(await sendTo(known));
      expect(knownAnswer).to.deep.equal([502, { message: 'the SMS could not be delivered (invalid_config)', error_code: 502 }]);
      expect(answer(await sendTo(unknown))).to.deep.equal(knownAnswer);
      expect(gateway.requests).to.have.length(0);
    } finally {
      await guarded.close();
      await gateway.close();
    }
  });

  it('/cis redirect login: a known and an unknown phone answer alike', async () => {
    const redirect = (phone_number: string) =>
      t.post('/cis/v1/auth/otp/sms', { phone_number, redirect_uri: 'https://acme.example/verify' }, app);
    expect(answer(await redirect(unknown))).to.deep.equal(answer(await redirect(known)));
  });

  describe('Auth0 dialect', () => {
    beforeEach(async () => {
      const id = (await t.get('/api/v2/connections', admin)).body[0].id;
      expect(
        (await call(t.url, 'PATCH', `/api/v2/connections/${id}`, { enabled_clients: ['acme-web'] }, { token: admin })).status,
      ).to.equal(200);
    });
    // a confidential client sends its secret (only a public client may not)
    const start = (phone_number: string) =>
      call(t.url, 'POST', '/passwordless/start', {
        client_id: 'acme-web',
        client_secret: 'acme-web-secret',
        connection: 'sms',
        phone_number,
        send: 'code',
      });
    const token = (username: string, otp: string) =>
      call(
        t.url,
        'POST',
        '/oauth/token',
        { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-web', client_secret: 'acme-web-secret', username, otp, realm: 'sms' },
        { form: true },
      );
    const withoutId = ({ status, body }: { status: number; body: Record<string, unknown> }) => {
      const { _id: id, phone_number: _phone, ...rest } = body;
      expect(id).to.be.a('string');
      return [status, rest];
    };

    it('/passwordless/start: phone_verified is false for a verified user and for a stranger alike', async () => {
      // make the known phone verified: a full Auth0 login
      await start(known);
      expect((await token(known, (await t.lastSms(known)).code)).status).to.equal(200);
      expect(await t.server.container.cradle.users.findUser('acme', 'phone_number', known)).to.include({ phoneNumberVerified: true });
      const [knownAnswer, unknownAnswer] = [await start(known), await start(unknown)];
      expect(knownAnswer.body).to.include({ phone_number: known, phone_verified: false });
      expect(withoutId(unknownAnswer)).to.deep.equal(withoutId(knownAnswer));
    });

    it('/oauth/token: a wrong code answers the same for a known and an unknown phone, as do more of them', async () => {
      await start(known);
      await start(unknown);
      for (let i = 0; i < 4; i++) expect(answer(await token(unknown, '000000'))).to.deep.equal(answer(await token(known, '000000')));
    });

    it('/oauth/token brute-force protection: ten wrong codes block the address for a known and an unknown phone alike', async () => {
      await start(known);
      await start(unknown);
      const answers: Record<string, unknown[]> = { [known]: [], [unknown]: [] };
      for (let i = 0; i < 11; i++) for (const phone of [known, unknown]) answers[phone]!.push(answer(await token(phone, '000000')));
      expect(answers[unknown]).to.deep.equal(answers[known]);
      expect(answers[known]!.at(-1)).to.deep.equal([
        429,
        { error: 'too_many_attempts', error_description: 'Your account has been blocked after multiple consecutive login attempts.' },
      ]);
    });

    it("/passwordless/start rate-cap oracle: the provider's cap refuses a known and an unknown phone alike", async () => {
      expect(
        (await t.put('/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 0.001, burst: 2 } }, admin)).status,
      ).to.equal(200);
      const sent = [withoutId(await start(unknown)), withoutId(await start(known))];
      expect(sent[0]).to.deep.equal(sent[1]);
      expect(sent[0]![0]).to.equal(200);
      const capped = [answer(await start(unknown)), answer(await start(known))];
      expect(capped[0]).to.deep.equal(capped[1]);
      expect(capped[0]![0]).to.be.within(400, 599);
    });

    it('/passwordless/start provider outage: a known and an unknown phone get the same error', async () => {
      const gateway = await startCustomGateway('key-1234');
      try {
        expect(
          (
            await t.put(
              '/cis/v1/tenantsmsproviders',
              { provider: 'CustomGateway', custom_gateway: { uri: `${gateway.url}/sms`, api_key: 'key-1234' } },
              admin,
            )
          ).status,
        ).to.equal(200);
        gateway.controls.setMode('reject');
        const knownAnswer = answer(await start(known));
        expect(knownAnswer[0]).to.be.within(400, 599);
        expect(answer(await start(unknown))).to.deep.equal(knownAnswer);
      } finally {
        await gateway.controls.close();
      }
    });
  });
});
