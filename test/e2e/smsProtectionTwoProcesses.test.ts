import { expect } from 'chai';
import path from 'node:path';
import { startChildServer } from '../support/childServer.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const phone = '+15125550142';

describe('SMS protection across two processes sharing one SQLite file', function () {
  this.timeout(90_000);
  let t: TestServer;

  beforeEach(async () => {
    t = await startOtpServer({ protection: 'defaults', overlay: { oidc: { issuer: 'https://otpledger.test' } } });
  });
  afterEach(() => t.close());

  it('holds one per-phone cap exactly: of 20 parallel sends through both processes, max_sends get through', async () => {
    const admin = await t.clientToken('acme-admin');
    const token = await t.clientToken();
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    expect((await t.put('/admin/v1/sms-protection', { limits: { phone: { cooldown_seconds: 0, max_sends: 5 } } }, admin)).status).to.equal(
      200,
    );
    const second = await startChildServer(path.join(t.dir, 'test-config.json'));
    try {
      const sendAt = (url: string) =>
        fetch(`${url}/cis/v1/auth/otp/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ channel: 'sms', identifier_type: 'phone_number', identifier: phone }),
        }).then((response) => response.status);
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => sendAt(i % 2 ? second.url : t.url)));
      expect(
        statuses.filter((status) => status === 200),
        JSON.stringify(statuses),
      ).to.have.length(5);
      expect(statuses.filter((status) => status === 429)).to.have.length(15);
      let sent = 0;
      for await (const _event of t.server.container.cradle.eventStore.readAll({ filter: { eventTypes: ['SmsSent'] } })) sent += 1;
      expect(sent).to.equal(5);
    } finally {
      await second.stop();
    }
  });
});
