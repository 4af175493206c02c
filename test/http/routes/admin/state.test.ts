import { expect } from 'chai';
import { acmeWithAuditor } from '../../../support/auditorTenant.js';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { driveTraffic } from '../../../support/traffic.js';

const phone = '+15125550101';

describe('time travel (GET /admin/v1/state)', function () {
  this.timeout(60_000);
  let t: TestServer;
  let auditor: string;
  beforeEach(async () => {
    t = await startOtpServer({ clock: true, overlay: acmeWithAuditor });
    auditor = await t.clientToken('acme-audit');
  });
  afterEach(() => t.close());

  it("answers what an application's policy and a phone's lockout were at a moment, both having changed since", async () => {
    const start = t.clock!.now();
    await driveTraffic(t); // login at +0, lockout at +1 min, policy change at +2 min
    const at = (ms: number) => new Date(start.getTime() + ms).toISOString();
    const state = async (kind: string, id: string, when: string) =>
      (await t.get(`/admin/v1/state?kind=${kind}&id=${encodeURIComponent(id)}&at=${encodeURIComponent(when)}`, auditor)).body.result;

    expect((await state('policy', 'acme-web', at(90_000))).state.otp.code_length).to.equal(6);
    expect((await state('policy', 'acme-web', at(150_000))).state.otp.code_length).to.equal(8);
    expect(JSON.stringify(await state('policy', 'acme-web', at(150_000)))).to.not.contain('secretHash');

    expect((await state('lockouts', phone, at(30_000))).state.login.lockedOut).to.equal(false);
    expect((await state('lockouts', phone, at(90_000))).state.login.lockedOut).to.equal(true);
    expect((await state('lockouts', phone, at(60_000 + 16 * 60_000))).state.login.lockedOut).to.equal(false);

    const byPosition = await state('policy', 'acme-web', '1');
    expect(byPosition.state).to.equal(undefined);
    expect((await t.get('/admin/v1/state?kind=nope&id=x', auditor)).status).to.equal(400);
  });
});
