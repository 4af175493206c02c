import { expect } from 'chai';
import { ServerMetrics } from '../../core/metrics/serverMetrics.js';
import { countAppendedEvents, nameLabel } from '../../core/metrics/eventCounters.js';
import { loadConfig } from '../../core/config/loadConfig.js';
import { startServer } from '../../core/server.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';

const phone = '+15125550177';

/** The value of one sample line, e.g. `otpledger_otp_issued_total{tenant="acme"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** A login with one wrong code first, then a lockout of another phone. */
async function otpTraffic(t: TestServer): Promise<void> {
  const app = await t.clientToken('acme-web');
  for (const number of [phone, '+15125550178'])
    expect((await t.post('/cis/v1/users', { phone_number: number }, app)).status).to.be.oneOf([200, 201]);
  const send = (identifier: string) =>
    t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier }, app);
  const authenticate = (identifier: string, passcode: string) =>
    t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier }, app);
  expect((await send(phone)).status).to.equal(200);
  const { code } = await t.lastSms(phone);
  expect((await authenticate(phone, code === '000000' ? '111111' : '000000')).status).to.equal(401);
  expect((await authenticate(phone, code)).status).to.equal(200);
  expect((await send('+15125550178')).status).to.equal(200);
  const wrong = (await t.lastSms('+15125550178')).code === '999999' ? '888888' : '999999';
  for (let i = 0; i < 3; i++) await authenticate('+15125550178', wrong);
  expect((await send('+15125550179')).status).to.equal(200); // no such user: answered alike, counted apart
}

describe('Prometheus metrics (GET /metrics)', function () {
  this.timeout(60_000);

  it('after an OTP cycle shows every family, labelled by tenant, route pattern and bounded names, never a phone number or a code', async () => {
    const t = await startOtpServer();
    try {
      await otpTraffic(t);
      await t.server.container.cradle.projectionRunner.catchUp();
      const { status, type, text } = await scrape(t.server.metricsUrl!);
      expect(status).to.equal(200);
      expect(type).to.match(/^text\/plain; version=0\.0\.4/);

      expect(sample(text, 'otpledger_otp_issued_total{tenant="acme"}')).to.equal(2);
      expect(sample(text, 'otpledger_otp_verified_total{tenant="acme"}')).to.equal(1);
      expect(sample(text, 'otpledger_otp_failed_total{tenant="acme",reason="mismatch"}')).to.equal(4);
      expect(sample(text, 'otpledger_lockouts_total{tenant="acme"}')).to.equal(1);
      expect(sample(text, 'otpledger_otp_unknown_identifier_total{tenant="acme"}')).to.equal(1);
      expect(sample(text, 'otpledger_sms_sent_total{tenant="acme",provider="Default"}')).to.equal(2);
      expect(text).to.contain('# TYPE otpledger_sms_failed_total counter');
      expect(text).to.contain('# TYPE otpledger_sms_refused_total counter');
      expect(
        sample(text, 'otpledger_http_request_duration_seconds_count{method="POST",route="/cis/v1/auth/otp/authenticate",status="401"}'),
      ).to.equal(4);
      expect(
        sample(text, 'otpledger_http_request_duration_seconds_count{method="POST",route="/cis/v1/auth/otp/authenticate",status="200"}'),
      ).to.equal(1);
      expect(
        sample(text, 'otpledger_http_request_duration_seconds_count{method="GET",route="/dev/sms-outbox",status="200"}'),
      ).to.be.greaterThan(0);
      expect(sample(text, 'otpledger_event_store_append_duration_seconds_count{outcome="ok"}')).to.be.greaterThan(5);
      expect(sample(text, 'otpledger_projection_lag_events{projection="users"}')).to.equal(0);
      expect(sample(text, 'otpledger_projection_lag_events{projection="otp_stats"}')).to.equal(0);
      expect(text).to.contain('process_cpu_seconds_total');
      expect(text).to.contain('nodejs_eventloop_lag_seconds');
      for (const personal of ['15125550177', '15125550178', '15125550179', '127.0.0.1', (await t.lastSms(phone)).code])
        expect(text).not.to.contain(personal);

      const unmatched = await fetch(`${t.url}/nowhere/${encodeURIComponent(phone)}`);
      expect(unmatched.status).to.equal(404);
      const after = (await scrape(t.server.metricsUrl!)).text;
      expect(sample(after, 'otpledger_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).to.equal(1);
      expect(after).not.to.contain('15125550177');
    } finally {
      await t.close();
    }
  });

  it('counts projection lag while a read model is behind', async () => {
    const t = await startOtpServer();
    try {
      const { projectionRunner } = t.server.container.cradle;
      await projectionRunner.stop();
      await otpTraffic(t);
      const { text } = await scrape(t.server.metricsUrl!);
      expect(sample(text, 'otpledger_projection_lag_events{projection="users"}')).to.equal(3); // 2 users created, 1 phone verified
      expect(sample(text, 'otpledger_projection_lag_events{projection="otp_stats"}')).to.be.greaterThan(3);
    } finally {
      await t.close();
    }
  });

  it('serves them on a listener of their own on 127.0.0.1, and not on the API', async () => {
    const t = await startOtpServer({ overlay: { metrics: { enabled: true, port: 0 } } });
    try {
      const { metricsUrl } = t.server;
      expect(metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(metricsUrl).not.to.equal(`${t.url}/metrics`);
      await t.clientToken('acme-web');
      const own = await scrape(metricsUrl!);
      expect(own.status).to.equal(200);
      expect(sample(own.text, 'otpledger_http_request_duration_seconds_count{method="POST",route="/oidc/token",status="200"}')).to.equal(1);
      expect((await fetch(`${t.url}/metrics`)).status).to.equal(404);
      expect((await fetch(metricsUrl!.replace('/metrics', '/other'))).status).to.equal(404);
      expect((await fetch(metricsUrl!, { method: 'POST' })).status).to.equal(405);
    } finally {
      await t.close();
    }
  });

  it('on the demo config (config/default.json as shipped) keeps them off the API listener: counters that move for unknown identifiers are no public oracle', async () => {
    const dir = tempDir();
    // the demo config itself, as `npm start` reads it; only the ports are free ones
    const config = loadConfig({
      env: { OTPLEDGER_DATA_DIR: dir.dir, PORT: '0', OTPLEDGER_METRICS_PORT: '0', OTPLEDGER_LOG_LEVEL: 'silent' },
    });
    expect(config.metrics).to.include({ enabled: true, onApiListener: false, host: '127.0.0.1' });
    const server = await startServer({ config });
    try {
      const token = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'acme-web', client_secret: 'acme-web-secret' }),
      });
      const { access_token: app } = (await token.json()) as { access_token: string };
      const unknown = await fetch(`${server.url}/cis/v1/auth/otp/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'sms', identifier_type: 'phone_number', identifier: '+15125550166' }),
      });
      expect(unknown.status).to.equal(200);
      // on the public listener there is nothing to read
      const onApi = await fetch(`${server.url}/metrics`);
      expect(onApi.status).to.equal(404);
      expect(await onApi.text()).not.to.contain('otpledger_otp_unknown_identifier_total');
      // the monitoring reads them on loopback
      expect(server.metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(sample((await scrape(server.metricsUrl!)).text, 'otpledger_otp_unknown_identifier_total{tenant="acme"}')).to.equal(1);
    } finally {
      await server.close();
      dir.remove();
    }
  });

  it('serves them on the API listener only when told (metrics.onApiListener)', async () => {
    const t = await startOtpServer({ overlay: { metrics: { enabled: true, onApiListener: true } } });
    try {
      expect(t.server.metricsUrl).to.equal(undefined);
      expect((await scrape(`${t.url}/metrics`)).status).to.equal(200);
    } finally {
      await t.close();
    }
  });

  it('is off with metrics.enabled false: no /metrics, and the store is not wrapped', async () => {
    const t = await startOtpServer({ overlay: { metrics: { enabled: false } } });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).to.equal(404);
      expect(t.server.container.cradle.metrics).to.equal(undefined);
    } finally {
      await t.close();
    }
  });
});

describe('countAppendedEvents', () => {
  it("counts the SMS protection policy's SmsSendRefused by reason, and never lets a phone, an IP or a code become a label", async () => {
    const metrics = new ServerMetrics();
    countAppendedEvents(metrics, [
      { type: 'SmsSendRefused', data: { reason: 'pumping_guard' }, metadata: { tenantId: 'acme' } },
      { type: 'SmsSendRefused', data: { reason: '+15125550101' }, metadata: { tenantId: 'acme' } },
      { type: 'SmsDeliveryFailed', data: { provider: '10.0.0.1', code: '123456' }, metadata: { tenantId: 'acme' } },
      { type: 'SessionStarted', data: {}, metadata: { tenantId: 'acme' } },
    ]);
    const { body } = await metrics.render();
    expect(sample(body, 'otpledger_sms_refused_total{tenant="acme",reason="pumping_guard"}')).to.equal(1);
    expect(sample(body, 'otpledger_sms_refused_total{tenant="acme",reason="other"}')).to.equal(1);
    expect(sample(body, 'otpledger_sms_failed_total{tenant="acme",provider="other",code="other"}')).to.equal(1);
    expect(body).not.to.match(/15125550101|10\.0\.0\.1|123456/);
    expect(['Twilio', 'rate_limited', 'sms_gateway', 'held-back'].map(nameLabel)).to.deep.equal([
      'Twilio',
      'rate_limited',
      'sms_gateway',
      'held-back',
    ]);
    expect(['::1', '+1512', '0042', 'a b', '', undefined, 7].map(nameLabel)).to.deep.equal(Array(7).fill('other'));
  });
});
