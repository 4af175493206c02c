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

  it('refuses a query its schema refuses with 400 naming the parameter; provider and protection need no id', async () => {
    const refused = async (query: string) => {
      const answer = await t.get(`/admin/v1/state?${query}`, auditor);
      expect(answer.status, query).to.equal(400);
      return answer.body.error_description as string;
    };
    expect(await refused('')).to.equal('kind is required');
    expect(await refused('kind=nope')).to.equal('kind must be one of user, provider, policy, lockouts, protection');
    expect(await refused('kind=user&kind=policy&id=x')).to.equal('kind must be given once');
    for (const kind of ['user', 'policy', 'lockouts']) expect(await refused(`kind=${kind}`)).to.equal('id is required');
    expect(await refused('kind=policy&id=acme-web&at=yesterday')).to.equal('at must be an ISO 8601 time or a global position');
    expect(await refused('kind=policy&id=acme-web&at=-1')).to.equal('at must be an ISO 8601 time or a global position');
    expect(await refused('kind=provider&at=2016-12-31T23:59:60Z')).to.equal('at must be an ISO 8601 time or a global position');
    expect(await refused('kind=lockouts&id=12')).to.match(/not a valid E\.164 phone number/);
    for (const query of ['kind=provider', 'kind=protection&at=2026-01-01', 'kind=policy&id=acme-web&at=3']) {
      expect((await t.get(`/admin/v1/state?${query}`, auditor)).status, query).to.equal(200);
    }
  });
});
