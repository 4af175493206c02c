import { expect } from 'chai';
import { describePostgres, freshSchema } from '../support/postgres.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';

/**
 * The database goes away under a running otpledger, and comes back: readiness says so, requests fail
 * fast with a clear 503 instead of hanging or a 500, and everything works again without a restart,
 * the projections included. The server reaches a real PostgreSQL through a TCP hop the test controls.
 */
describePostgres('otpledger when PostgreSQL goes away and comes back', (url) => {
  let t: TestServer;
  let proxy: TcpProxy;
  let token: string;
  let dropSchema: () => Promise<void>;
  let phoneSeq = 0;

  before(async function () {
    this.timeout(60_000);
    const target = new URL(url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const schema = freshSchema(url, 'outage');
    dropSchema = schema.drop;
    const viaProxy = new URL(schema.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    viaProxy.searchParams.set('connect_timeout', '1');
    viaProxy.searchParams.set('query_timeout', '1500');
    t = await startOtpServer({ overlay: { eventStore: { url: viaProxy.toString() } } });
    token = await t.clientToken();
  });
  after(async () => {
    await t?.close();
    await proxy?.close();
    await dropSchema?.();
  });

  const send = async (phone: string) => {
    const started = performance.now();
    const reply = await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
    return { ...reply, ms: performance.now() - started };
  };
  const ready = async () => (await t.get('/readyz')).status;
  const newPhone = () => `+1512555${String(3000 + phoneSeq++)}`;

  async function expectRecovery(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await ready()) !== 200) {
      if (Date.now() > deadline) throw new Error('/readyz did not come back');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const phone = newPhone();
    expect((await t.post('/cis/v1/users', { phone_number: phone }, token)).status).to.equal(201);
    expect((await send(phone)).status).to.equal(200);
    const { code } = await t.lastSms(phone);
    const login = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: code, identifier_type: 'phone_number', identifier: phone },
      token,
    );
    expect(login.status).to.equal(200);
    // the projections went on from their checkpoint: everything written is in the read models
    const runner = t.server.container.cradle.projectionRunner;
    await Promise.race([
      runner.catchUp(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('projections did not catch up')), 15_000)),
    ]);
  }

  it('answers 503 at once while the server is down (connections refused), and recovers by itself', async function () {
    this.timeout(60_000);
    expect(await ready()).to.equal(200);
    const phone = newPhone();
    expect((await t.post('/cis/v1/users', { phone_number: phone }, token)).status).to.equal(201);

    await proxy.refuse();
    expect(await ready()).to.equal(503);
    const refused = await send(phone);
    expect(refused.status).to.equal(503);
    expect(refused.body).to.deep.equal({ message: 'the event store is unavailable; try again shortly', error_code: 503 });
    expect(refused.ms).to.be.below(3000);

    await proxy.restore();
    await expectRecovery();
  });

  it('answers 503 within its timeouts while the network is silent, and recovers by itself', async function () {
    this.timeout(60_000);
    const phone = newPhone();
    expect((await t.post('/cis/v1/users', { phone_number: phone }, token)).status).to.equal(201);

    proxy.hang();
    const started = performance.now();
    expect(await ready()).to.equal(503);
    expect(performance.now() - started).to.be.below(3000);
    const stalled = await send(phone);
    expect(stalled.status).to.equal(503);
    // query_timeout (1.5 s) on the open connection, then connect_timeout (1 s) for a new one, and slack
    expect(stalled.ms).to.be.below(6000);

    await proxy.restore();
    await expectRecovery();
  });
});
