import { expect } from 'chai';
import { startScriptedGateway, type ScriptedGateway } from '@otpledger/plugin-kit/testing';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const phone = '+15125550188';

describe('a third-party provider plugin named by path in the config file', function () {
  this.timeout(30_000);
  let t: TestServer;
  let gateway: ScriptedGateway;

  beforeEach(async () => {
    gateway = await startScriptedGateway({ accept: () => ({ status: 200, body: { id: 'acme-msg-7', parts: 1 } }) });
    t = await startOtpServer({
      overlay: { plugins: ['./test/fixtures/acme-sms-plugin', './test/fixtures/broken-sms-plugins/wrong-kit.ts'] },
    });
  });
  afterEach(async () => {
    await t.close();
    await gateway.close();
  });

  it('is loaded at start (a broken one beside it is skipped), selected by a tenant, and carries the next OTP', async () => {
    const { smsPlugins } = t.server.container.cradle;
    expect(smsPlugins.get('AcmeSms')?.source).to.equal('./test/fixtures/acme-sms-plugin');
    expect(smsPlugins.failures.map((f) => f.source)).to.include('./test/fixtures/broken-sms-plugins/wrong-kit.ts');

    const [app, admin] = [await t.clientToken('acme-web'), await t.clientToken('acme-admin')];
    await t.post('/cis/v1/users', { phone_number: phone }, app);
    const put = await t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'AcmeSms', acme_sms: { endpoint: `${gateway.url}/v1/sms`, token: 'acme-token-abcdef123456' } },
      admin,
    );
    expect(put.body).to.deep.equal({
      provider: 'AcmeSms',
      acme_sms: { endpoint: `${gateway.url}/v1/sms`, token: '****3456' },
      fallback: [],
    });

    expect(
      (await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app)).status,
    ).to.equal(200);
    const received = gateway.accepted[0]!;
    expect(received.headers.authorization).to.equal('Bearer acme-token-abcdef123456');
    const code = /\d{6}/.exec((received.json as { text: string }).text)![0];
    const login = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: code, identifier_type: 'phone_number', identifier: phone },
      app,
    );
    expect(login.status).to.equal(200);

    const sent = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: ['SmsSent'] } })) sent.push(event.data);
    expect(sent).to.have.length(1);
    expect(sent[0]).to.deep.include({ provider: 'AcmeSms', providerMessageId: 'acme-msg-7', segments: 1 });
  });
});
