import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const phone = '+15125550142';

/** Events of a type in the OTP streams; `OtpFailed` counted only for wrong guesses at a live code. */
async function countEvents(t: TestServer, type: string): Promise<number> {
  let count = 0;
  for await (const event of t.server.container.cradle.eventStore.readAll({
    filter: { streamPrefixes: ['otp-acme-login-'], eventTypes: [type] },
  })) {
    count += type !== 'OtpFailed' || (event.data as { reason: string }).reason === 'mismatch' ? 1 : 0;
  }
  return count;
}

describe('OTP correctness under concurrency (expected revisions, through HTTP)', function () {
  this.timeout(60_000);
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    // instances behind one name share the issuer (and, through the data dir, the keys)
    t = await startOtpServer({ overlay: { oidc: { issuer: 'https://otpledger.test' } } });
    token = await t.clientToken();
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
  });
  afterEach(() => t.close());

  const authenticateAt = (url: string, passcode: string) =>
    fetch(`${url}/cis/v1/auth/otp/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ passcode, identifier_type: 'phone_number', identifier: phone }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

  it('50 parallel authentications with the right code give exactly one set of tokens', async () => {
    const { code } = await t.lastSms(phone);
    const results = await Promise.all(Array.from({ length: 50 }, () => authenticateAt(t.url, code)));
    expect(results.filter((r) => r.status === 200)).to.have.length(1);
    expect(results.filter((r) => r.status === 401)).to.have.length(49);
    expect(await countEvents(t, 'OtpVerified')).to.equal(1);
  });

  it('50 parallel wrong codes record at most max_failed_attempts failures, lock out once, and the right code stays refused', async () => {
    const { code } = await t.lastSms(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const results = await Promise.all(Array.from({ length: 50 }, () => authenticateAt(t.url, wrong)));
    expect(results.filter((r) => r.status === 200)).to.have.length(0);
    expect(await countEvents(t, 'OtpFailed')).to.equal(3);
    expect(await countEvents(t, 'UserLockedOut')).to.equal(1);
    expect(results.filter((r) => r.status === 429)).to.have.length(47);
    expect((await authenticateAt(t.url, code)).status).to.equal(429);
  });

  // two processes sharing one store (SQLite and PostgreSQL): test/e2e/twoProcesses.test.ts
});
