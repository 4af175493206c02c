import Database from 'better-sqlite3';
import { expect } from 'chai';
import { ReadModelStore } from '../../projections/readModelStore.js';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { cli, cliConfigFor } from '../support/cli.js';
import { startOtpServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';
import { driveTraffic, snapshot } from '../support/traffic.js';

describe('otpledger projections rebuild (CLI)', function () {
  this.timeout(120_000);

  it('rebuilds every read model, or one by name, into tables equal to the live ones; an unknown name is a usage error', async () => {
    const temp = tempDir();
    try {
      const t = await startOtpServer({ clock: true, overlay: acmeWithAuditor, dir: temp.dir });
      await driveTraffic(t);
      const { projectionRunner, projections, readModels } = t.server.container.cradle;
      await projectionRunner.catchUp();
      const tables = projections.flatMap((p) => p.tables);
      const live = snapshot(readModels.db, tables);
      const { configFile } = cliConfigFor(t);
      await t.close();
      const readModelFile = ReadModelStore.fileIn(temp.dir);
      const damage = () => {
        const db = new Database(readModelFile);
        db.exec('DELETE FROM otp_stats; DELETE FROM users; DELETE FROM phone_index');
        db.close();
      };
      const tablesNow = () => {
        const db = new Database(readModelFile, { readonly: true });
        try {
          return snapshot(db, tables);
        } finally {
          db.close();
        }
      };

      damage();
      const all = cli(configFile, 'projections', 'rebuild');
      expect(all.status, all.stderr).to.equal(0);
      expect(all.stderr).to.match(
        new RegExp(`rebuilt ${projections.length} projection\\(s\\) up to position \\d+: \\d+ events of the types they handle`),
      );
      expect(tablesNow()).to.deep.equal(live);

      const db = new Database(readModelFile);
      db.exec('DELETE FROM otp_stats');
      db.close();
      const one = cli(configFile, 'projections', 'rebuild', 'otp_stats');
      expect(one.status, one.stderr).to.equal(0);
      expect(one.stderr).to.contain('rebuilt 1 projection(s)');
      expect(tablesNow()).to.deep.equal(live);

      const unknown = cli(configFile, 'projections', 'rebuild', 'nope');
      expect(unknown.status).to.equal(2);
      expect(unknown.stderr).to.contain('no projection named nope; there are users, lockouts');
    } finally {
      temp.remove();
    }
  });
});
