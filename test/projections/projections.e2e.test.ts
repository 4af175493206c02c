import { expect } from 'chai';
import { rebuildProjections } from '../../projections/rebuild.js';
import { listUsers } from '../../projections/users.js';
import { activeLockouts } from '../../projections/lockouts.js';
import { otpStats } from '../../projections/otpStats.js';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { driveTraffic, phone, snapshot } from '../support/traffic.js';

describe('projections (end to end)', function () {
  this.timeout(60_000);
  let t: TestServer;
  beforeEach(async () => (t = await startOtpServer({ clock: true, overlay: acmeWithAuditor })));
  afterEach(() => t.close());

  it('projects live traffic into every read model, and a rebuild of every projection equals the live models', async () => {
    const { userId } = await driveTraffic(t);
    const { projectionRunner, readModels, projections, storedEvents: eventStore, personalData } = t.server.container.cradle;
    await projectionRunner.catchUp();
    const db = readModels.db;

    // the read model keeps the phone sealed; it opens with the user's key
    const [stored] = listUsers(db, 'acme');
    expect(stored!.phoneNumber).to.match(/^pii:v1:/);
    const users = await personalData.openData(listUsers(db, 'acme'));
    expect(users.map((u) => [u.userId, u.phoneNumber, u.phoneNumberVerified])).to.deep.equal([[userId, phone, true]]);
    expect(activeLockouts(db, 'acme', t.clock!.now())).to.have.length(1);
    expect(otpStats(db, 'acme')).to.deep.equal([
      {
        tenantId: 'acme',
        clientId: 'acme-web',
        provider: 'Default',
        countryCode: '1',
        day: '2026-11-22',
        issued: 2,
        verified: 1,
        failed: 3,
        lockouts: 1,
        smsSent: 2,
        smsFailed: 0,
        conversionRate: 0.5,
        refused: { cooldown: 0, phone_limit: 0, ip_limit: 0, tenant_limit: 0, country: 0, number_type: 0, pumping_guard: 0 },
      },
    ]);

    const tables = projections.flatMap((p) => p.tables);
    const live = snapshot(db, tables);
    expect(live.phone_index).to.not.be.empty;
    const result = await rebuildProjections(eventStore, readModels, projections);
    expect(result.events).to.be.greaterThan(10);
    await projectionRunner.catchUp();
    expect(snapshot(db, tables)).to.deep.equal(live);

    // an adapter that reads asynchronously (KurrentDB) rebuilds from buffered batches: the same tables
    const asyncOnly = new Proxy(eventStore, {
      get(target, key) {
        if (key === 'readReplayPage') return undefined;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect(asyncOnly.readReplayPage).to.equal(undefined);
    expect((await rebuildProjections(asyncOnly, readModels, projections)).events).to.equal(result.events);
    await projectionRunner.catchUp();
    expect(snapshot(db, tables)).to.deep.equal(live);
  });

  it('catches up from its checkpoint after a restart instead of replaying everything', async () => {
    await driveTraffic(t);
    const { projectionRunner, readModels } = t.server.container.cradle;
    await projectionRunner.catchUp();
    const before = readModels.checkpoint('otp_stats').position;
    expect(before).to.be.greaterThan(0);
    await projectionRunner.stop();
    const app = await t.clientToken();
    t.clock!.advance(16 * 60_000); // the lockout lifts
    await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app);
    const counting = readModels.db.prepare('SELECT SUM(issued) AS n FROM otp_stats');
    projectionRunner.start();
    await projectionRunner.catchUp();
    expect((counting.get() as { n: number }).n).to.equal(3); // 2 before the stop, 1 after: nothing counted twice
    expect(readModels.checkpoint('otp_stats').position).to.be.greaterThan(before);
  });
});
