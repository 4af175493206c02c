import { asValue } from 'awilix';
import { expect } from 'chai';
import { EgressGuard, type Resolver } from '../../core/sms/egressGuard.js';
import { defaultDispatchPolicy } from '../../core/sms/smsDispatcher.js';
import { startAuth0Gateway, type Auth0Gateway } from '../plugins/sms-gateway/auth0Gateway.js';
import { CLIENT_ID, CLIENT_SECRET, DEFINITION_KEY, startSfmcGateway, type SfmcGateway } from '../plugins/sms-sfmc/sfmcGateway.js';
import { captureLogger } from '../support/captureLogger.js';
import { startCustomGateway } from '../support/customGatewayServer.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';

const phone = '+15125550188';
const API_KEY = 'ssrf-gateway-key-0001';
const noSleep = { ...defaultDispatchPolicy, sleep: async () => undefined };

/** A resolver for `gw.test` whose answer the test changes at will; every other name does not resolve. */
function switchableDns(): Resolver & { answer: string[] } {
  const resolve = async (host: string) => {
    if (host === 'gw.test') return resolve.answer;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  resolve.answer = ['93.184.215.14'];
  return resolve;
}

describe('SSRF: a provider address is checked at configuration, before every send and on every connection', function () {
  this.timeout(60_000);
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  async function server(options: Parameters<typeof startOtpServer>[0] = {}) {
    const t = await startOtpServer({ ...options, overrides: { smsDispatchPolicy: asValue(noSleep), ...options.overrides } });
    closing.push(() => t.close());
    const app = await t.clientToken('acme-web');
    const admin = await t.clientToken('acme-admin');
    await t.post('/cis/v1/users', { phone_number: phone }, app);
    const send = () => t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app);
    return { t, app, admin, send };
  }

  const deliveryFailures = async (t: TestServer) => {
    const events: { type: string; data: any }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: ['SmsDeliveryFailed'] } }))
      events.push(event);
    return events.map((event) => event.data as { code: string; message: string; provider: string });
  };

  it('refuses a loopback gateway with 400 naming the field when sms.allowPrivateNetworks is off, and keeps the old provider', async () => {
    const gateway = await startCustomGateway(API_KEY);
    closing.push(() => gateway.server.close());
    const { t, admin } = await server({ overlay: { sms: { allowPrivateNetworks: false } } });
    const refused = await t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'CustomGateway', custom_gateway: { uri: `${gateway.url}/send-sms`, api_key: API_KEY } },
      admin,
    );
    expect(refused.status).to.equal(400);
    expect(refused.body.message).to.match(
      /^CustomGateway: \/uri: 127\.0\.0\.1 is a loopback address; the operator must set sms\.allowPrivateNetworks/,
    );
    expect(gateway.server.requests).to.have.length(0); // not even the challenge went out
    expect((await t.get('/cis/v1/tenantsmsproviders', admin)).body.provider).to.equal('Default');
  });

  it('refuses a host name that does not resolve, even where private networks are allowed', async () => {
    const { t, admin } = await server();
    const refused = await t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'sms_gateway', sms_gateway: { gateway_url: 'https://sms-gateway.invalid/send', from: 'Acme' } },
      admin,
    );
    expect(refused.status).to.equal(400);
    expect(refused.body.message).to.equal('sms_gateway: /gateway_url: sms-gateway.invalid does not resolve (ENOTFOUND)');
  });

  it('does not use a configuration stored while private networks were allowed once they are not', async () => {
    const gateway = await startCustomGateway(API_KEY);
    closing.push(() => gateway.server.close());
    const temp = tempDir();
    closing.push(async () => temp.remove());
    const before = await server({ dir: temp.dir, overlay: { sms: { allowPrivateNetworks: true } } });
    expect(
      (
        await before.t.put(
          '/cis/v1/tenantsmsproviders',
          { provider: 'CustomGateway', custom_gateway: { uri: `${gateway.url}/send-sms`, api_key: API_KEY } },
          before.admin,
        )
      ).status,
    ).to.equal(200);
    expect((await before.send()).status).to.equal(200);
    await before.t.server.close();
    const posts = () => gateway.server.requests.filter((request) => request.method === 'POST').length;
    expect(posts()).to.equal(1);

    const { logger, lines } = captureLogger();
    const after = await server({
      dir: temp.dir,
      overlay: { sms: { allowPrivateNetworks: false } },
      overrides: { logger: asValue(logger) },
    });
    const refused = await after.send();
    expect(refused.status).to.equal(502);
    expect(posts()).to.equal(1); // nothing more reached the loopback gateway
    const [failure] = await deliveryFailures(after.t);
    expect(failure).to.deep.include({
      provider: 'CustomGateway',
      code: 'invalid_config',
      message: 'the provider address was refused by the egress policy',
    });
    const warning = lines.find((line) => line.msg === 'SMS delivery failed');
    expect(warning?.reason).to.match(/^CustomGateway: \/uri: 127\.0\.0\.1 is a loopback address/);
  });

  it('checks the name again at every send: a configuration that pointed outside is refused once its DNS points inside', async () => {
    const gateway: Auth0Gateway = await startAuth0Gateway();
    closing.push(() => gateway.close());
    const dns = switchableDns();
    const egress = new EgressGuard({ allowPrivateNetworks: false, resolve: dns });
    const { t, admin, send } = await server({ overlay: { sms: { allowPrivateNetworks: false } }, overrides: { egress: asValue(egress) } });
    const port = new URL(gateway.url).port;
    // sms_gateway has no registration check: nothing connects at configuration, only the address is checked
    const configured = await t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'sms_gateway', sms_gateway: { gateway_url: `http://gw.test:${port}/sms`, from: 'Acme' } },
      admin,
    );
    expect(configured.status, JSON.stringify(configured.body)).to.equal(200);

    dns.answer = ['127.0.0.1'];
    expect((await send()).status).to.equal(502);
    dns.answer = ['10.0.0.5', '93.184.215.14'];
    expect((await send()).status).to.equal(502);
    expect(gateway.requests).to.have.length(0);
    const failures = await deliveryFailures(t);
    expect(failures.map((f) => f.code)).to.deep.equal(['invalid_config', 'invalid_config']);
  });

  it("checks SFMC's rest_instance_url from the token answer like a configured URL", async () => {
    const sfmc: SfmcGateway = await startSfmcGateway();
    closing.push(() => sfmc.close());
    const { t, admin } = await server(); // private networks allowed (the fake is on 127.0.0.1); link-local never is
    sfmc.restInstanceUrl = 'http://169.254.169.254/latest/';
    const settings = {
      subdomain: 'mc-test',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      message_id: DEFINITION_KEY,
      auth_base_url: sfmc.scripted.url,
    };
    const refused = await t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'SalesforceMarketingCloud', salesforce_marketing_cloud: settings },
      admin,
    );
    expect(refused.status).to.equal(400);
    expect(refused.body.message).to.match(
      /rest_instance_url that is refused: 169\.254\.169\.254 is a link-local address, which is never allowed/,
    );
    expect(sfmc.tokenRequests).to.have.length(1);
    expect(sfmc.sendAttempts).to.have.length(0);
  });

  it('stores a bounded reason in our words, never the remote text, when a send fails', async () => {
    const sfmc: SfmcGateway = await startSfmcGateway();
    closing.push(() => sfmc.close());
    const { logger, lines } = captureLogger();
    const { t, admin, send } = await server({ overrides: { logger: asValue(logger) } });
    const settings = {
      subdomain: 'mc-test',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      message_id: DEFINITION_KEY,
      auth_base_url: sfmc.scripted.url,
    };
    expect(
      (await t.put('/cis/v1/tenantsmsproviders', { provider: 'SalesforceMarketingCloud', salesforce_marketing_cloud: settings }, admin))
        .status,
    ).to.equal(200);
    const remote = `<script>alert(1)</script> recipient ${phone.slice(1)} is blocked\n\u0000${'padding '.repeat(2000)}`;
    sfmc.nextAnswer = { status: 400, body: { message: remote, errorcode: 10002 } };
    expect((await send()).status).to.equal(502);
    const [failure] = await deliveryFailures(t);
    expect(failure!.message).to.equal('the provider refused the message (HTTP 400, provider code 10002)');
    const reason = String(lines.find((line) => line.msg === 'SMS delivery failed')?.reason);
    expect(reason.length).to.be.at.most(300);
    expect(reason).not.to.contain(phone.slice(1));
    expect(reason).not.to.match(/\p{Cc}/u);
  });
});
