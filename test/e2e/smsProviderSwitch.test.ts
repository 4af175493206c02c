import { asValue } from 'awilix';
import { expect } from 'chai';
import { defaultDispatchPolicy } from '../../core/sms/smsDispatcher.js';
import { captureLogger, type LogLine } from '../support/captureLogger.js';
import { startCustomGateway } from '../support/customGatewayServer.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const phone = '+15125550177';
const API_KEY = 'acme-gateway-key-5521';

describe('a tenant switches SMS provider and the next OTP goes through it (seed: custom SMS providers)', function () {
  this.timeout(30_000);
  let t: TestServer;
  let app: string;
  let admin: string;
  let gateway: Awaited<ReturnType<typeof startCustomGateway>>;
  const backoffs: number[] = [];
  let lines: LogLine[];

  beforeEach(async () => {
    backoffs.length = 0;
    // retries wait on an injected sleep: the test records the backoff instead of sleeping it
    const policy = { ...defaultDispatchPolicy, timeoutMs: 300, sleep: async (ms: number) => void backoffs.push(ms) };
    const captured = captureLogger();
    lines = captured.lines;
    t = await startOtpServer({ overrides: { smsDispatchPolicy: asValue(policy), logger: asValue(captured.logger) } });
    [app, admin] = [await t.clientToken('acme-web'), await t.clientToken('acme-admin')];
    gateway = await startCustomGateway(API_KEY);
    await t.post('/cis/v1/users', { phone_number: phone }, app);
  });
  afterEach(async () => {
    await gateway.server.close();
    await t.close();
  });

  const useGateway = (fallback: unknown[] = []) =>
    t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'CustomGateway', custom_gateway: { uri: `${gateway.url}/send-sms`, api_key: API_KEY }, fallback },
      admin,
    );
  const send = () => t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app);
  const authenticate = (passcode: string) =>
    t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier: phone }, app);
  const gatewayPosts = () => gateway.server.requests.filter((r) => r.method === 'POST');
  const codeAtGateway = () => /\d{6}/.exec((gatewayPosts().at(-1)!.json as { message: string }).message)![0];
  const deliveryEvents = async () => {
    const events: { type: string; data: any }[] = [];
    // SMS outcomes live in the code's OTP stream, beside its OtpIssued
    const filter = { streamPrefixes: ['otp-acme-'], eventTypes: ['SmsSent', 'SmsDeliveryFailed'] };
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter })) events.push(event);
    return events;
  };

  it('delivers the next OTP to the gateway chosen through the API, and the code it received signs the user in', async () => {
    expect((await send()).status).to.equal(200);
    expect((await t.lastSms(phone)).count).to.equal(1); // Default until now: the dev outbox has it

    expect((await useGateway()).status).to.equal(200);
    expect(await send()).to.deep.include({ status: 200, body: { message: 'OTP sent' } });
    expect(gatewayPosts()).to.have.length(1);
    expect(gatewayPosts()[0]!.json).to.deep.include({ phone_number: phone });
    expect((await t.lastSms(phone)).count).to.equal(1); // nothing more in the outbox: only Default writes there

    expect((await authenticate(codeAtGateway())).status).to.equal(200);
    const events = await deliveryEvents();
    expect(events.map((e) => [e.type, e.data.provider])).to.deep.equal([
      ['SmsSent', 'Default'],
      ['SmsSent', 'CustomGateway'],
    ]);
    expect(events[1]!.data).to.include({ tenantId: 'acme', clientId: 'acme-web', countryCallingCode: '1', attempt: 1, fallbackIndex: 0 });
    expect(events[1]!.data.otpId).to.be.a('string');
    // the number is not in the event: the stream is named by its keyed hash
    expect(JSON.stringify(events)).not.to.contain(phone.slice(1));
    expect(JSON.stringify(events)).not.to.contain(codeAtGateway());
  });

  it('answers non-200 when the gateway rejects (no retry on 4xx), and the code it received cannot be used', async () => {
    await useGateway([{ provider: 'Default' }]);
    gateway.server.mode = 'reject';
    const failed = await send();
    expect(failed.status).to.equal(502);
    expect(failed.body).to.deep.equal({ message: 'the SMS could not be delivered (rejected)', error_code: 502 });
    expect(gatewayPosts()).to.have.length(1);
    expect(backoffs).to.deep.equal([]);
    expect((await t.lastSms(phone)).count).to.equal(0); // a rejection is not a reason to fall back
    expect((await authenticate(codeAtGateway())).status).to.equal(401);
    const [failure] = await deliveryEvents();
    expect(failure!.type).to.equal('SmsDeliveryFailed');
    // the event keeps a bounded reason in the server's words, not the provider's
    expect(failure!.data).to.include({
      provider: 'CustomGateway',
      code: 'rejected',
      attempts: 1,
      message: 'the provider refused the message (HTTP 400)',
    });
  });

  it('retries a transient failure with backoff, then delivers', async () => {
    await useGateway();
    gateway.server.script = ['unavailable', 'rate_limited'];
    expect((await send()).status).to.equal(200);
    expect(gatewayPosts()).to.have.length(3);
    expect(backoffs).to.have.length(2);
    expect(backoffs[1]!).to.be.above(backoffs[0]! - 100); // grows (jitter aside)
    expect((await authenticate(codeAtGateway())).status).to.equal(200);
    expect((await deliveryEvents()).map((e) => [e.type, e.data.attempt])).to.deep.equal([['SmsSent', 3]]);
  });

  it('falls back to the next provider when the first stays unavailable, after its retries', async () => {
    await useGateway([{ provider: 'Default' }]);
    gateway.server.mode = 'unavailable';
    expect((await send()).status).to.equal(200);
    expect(gatewayPosts()).to.have.length(3); // 1 + 2 retries
    const { code } = await t.lastSms(phone); // Default, the fallback, wrote it to the outbox
    expect((await authenticate(code)).status).to.equal(200);
    const events = await deliveryEvents();
    expect(events.map((e) => [e.type, e.data.provider, e.data.fallbackIndex])).to.deep.equal([
      ['SmsDeliveryFailed', 'CustomGateway', 0],
      ['SmsSent', 'Default', 1],
    ]);
    expect(events[0]!.data).to.include({ code: 'unavailable', attempts: 3 });
  });

  it('times out a hanging gateway (retried like any transient failure), then falls back', async () => {
    await useGateway([{ provider: 'Default' }]);
    gateway.server.mode = 'hang';
    const started = performance.now();
    expect((await send()).status).to.equal(200);
    expect(performance.now() - started).to.be.below(3 * 300 + 1500);
    expect(gatewayPosts()).to.have.length(3);
    const [failure, sent] = await deliveryEvents();
    expect(failure!.data).to.include({ provider: 'CustomGateway', code: 'timeout', attempts: 3 });
    expect(sent!.data).to.include({ provider: 'Default' });
  });

  it('gives up with 502 when every provider fails, and the OTP is not left usable', async () => {
    await useGateway();
    gateway.server.mode = 'rate_limited';
    const mark = lines.length;
    const failed = await send();
    expect(failed.status).to.equal(502);
    expect(failed.body.message).to.equal('the SMS could not be delivered (rate_limited)');
    const sendLines = lines.slice(mark);
    expect(gatewayPosts()).to.have.length(3);
    expect((await authenticate(codeAtGateway())).status).to.equal(401);
    // logged once, as a warning with the provider and reason; the request line shows the 502
    expect(sendLines.filter((line) => line.level >= 40).map((line) => line.msg)).to.deep.equal(['SMS delivery failed']);
    expect(sendLines.find((line) => line.msg === 'request' && line.route === '/cis/v1/auth/otp/send' && line.status === 502)).to.not.equal(
      undefined,
    );
  });
});
