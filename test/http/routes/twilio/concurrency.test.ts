import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { twilioVerifyClient } from '../../../support/twilioVerifyClient.js';

/** Settled outcomes of parallel SDK calls: the status they answered, or the HTTP status and Twilio code they failed with. */
async function outcomes(calls: Promise<{ status: string }>[]): Promise<string[]> {
  const settled = await Promise.allSettled(calls);
  return settled
    .map((result) =>
      result.status === 'fulfilled'
        ? result.value.status
        : `${(result.reason as { status: number }).status} ${(result.reason as { code: number }).code}`,
    )
    .sort();
}

describe("Twilio Verify dialect under parallel requests: the OTP stream's expected revisions keep Twilio's limits exact", function () {
  this.timeout(60_000);
  let t: TestServer;
  let service: ReturnType<ReturnType<typeof twilioVerifyClient>['verify']['v2']['services']>;

  before(async () => {
    t = await startOtpServer();
    const admin = twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret');
    const { sid } = await admin.verify.v2.services.create({ friendlyName: 'Acme' });
    service = twilioVerifyClient(t.url, 'acme-web', 'acme-web-secret').verify.v2.services(sid);
  });
  after(() => t.close());

  it('20 parallel creates for one number: exactly 5 codes are sent, under one sid; 15 get 429 60203', async () => {
    const to = '+15125550171';
    const sids = new Set<string>();
    const results = await outcomes(
      Array.from({ length: 20 }, () => service.verifications.create({ to, channel: 'sms' }).then((v) => (sids.add(v.sid), v))),
    );
    expect(results.filter((status) => status === 'pending')).to.have.length(5);
    expect(results.filter((status) => status === '429 60203')).to.have.length(15);
    expect(sids.size).to.equal(1);
    expect((await t.lastSms(to)).count).to.equal(5);
  });

  it('12 parallel wrong checks: exactly 5 are counted (4 pending, 1 max_attempts_reached), the rest 429 60202', async () => {
    const to = '+15125550172';
    await service.verifications.create({ to, channel: 'sms' });
    const wrong = (await t.lastSms(to)).code === '000000' ? '111111' : '000000';
    const results = await outcomes(Array.from({ length: 12 }, () => service.verificationChecks.create({ to, code: wrong })));
    expect(results).to.deep.equal([...Array(7).fill('429 60202'), 'max_attempts_reached', ...Array(4).fill('pending')].sort());
  });

  it('10 parallel checks of the right code: one approves, the others find nothing pending (404 20404)', async () => {
    const to = '+15125550173';
    await service.verifications.create({ to, channel: 'sms' });
    const { code } = await t.lastSms(to);
    const results = await outcomes(Array.from({ length: 10 }, () => service.verificationChecks.create({ to, code })));
    expect(results).to.deep.equal([...Array(9).fill('404 20404'), 'approved'].sort());
  });
});
