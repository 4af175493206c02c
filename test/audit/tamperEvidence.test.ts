import Database from 'better-sqlite3';
import { expect } from 'chai';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { cli, cliConfigFor } from '../support/cli.js';
import { startOtpServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';
import { driveTraffic } from '../support/traffic.js';

describe('tamper evidence (otpledger audit verify, GET /admin/v1/audit/verify)', function () {
  this.timeout(120_000);

  it('passes on an untouched store, then reports the exact stream and revision of a row edited in the SQLite file', async () => {
    const temp = tempDir();
    try {
      let t = await startOtpServer({ clock: true, overlay: acmeWithAuditor, dir: temp.dir });
      await driveTraffic(t);
      const { configFile, eventsFile } = cliConfigFor(t);
      await t.close();

      const clean = cli(configFile, 'audit', 'verify');
      expect(clean.status, clean.stderr).to.equal(0);
      expect(JSON.parse(clean.stdout)).to.include({ ok: true });

      // an insider lowers a failure count in place
      const db = new Database(eventsFile);
      const target = db
        .prepare("SELECT stream, revision FROM events WHERE type = 'OtpFailed' ORDER BY position LIMIT 1 OFFSET 1")
        .get() as { stream: string; revision: number };
      db.prepare("UPDATE events SET data = json_set(data, '$.failedAttempts', 0) WHERE stream = ? AND revision = ?").run(
        target.stream,
        target.revision,
      );
      db.close();

      const broken = cli(configFile, 'audit', 'verify', '--tenant', 'acme');
      expect(broken.status).to.equal(1);
      expect(JSON.parse(broken.stdout).broken).to.include({ stream: target.stream, revision: target.revision, problem: 'wrong_hash' });
      expect(broken.stderr).to.contain(`stream ${target.stream} revision ${target.revision}`);

      t = await startOtpServer({ clock: true, overlay: acmeWithAuditor, dir: temp.dir });
      const report = await t.get('/admin/v1/audit/verify', await t.clientToken('acme-audit'));
      expect(report.status).to.equal(409);
      expect(report.body.broken).to.include({ stream: target.stream, revision: target.revision });
      await t.server.close();
    } finally {
      temp.remove();
    }
  });

  it('reports a deleted event as the broken link of the event after it', async () => {
    const temp = tempDir();
    try {
      const t = await startOtpServer({ clock: true, overlay: acmeWithAuditor, dir: temp.dir });
      await driveTraffic(t);
      const { configFile, eventsFile } = cliConfigFor(t);
      await t.server.close();
      const db = new Database(eventsFile);
      const target = db.prepare("SELECT stream, revision FROM events WHERE type = 'OtpFailed' ORDER BY position LIMIT 1").get() as {
        stream: string;
        revision: number;
      };
      db.prepare('DELETE FROM events WHERE stream = ? AND revision = ?').run(target.stream, target.revision);
      db.close();
      const result = cli(configFile, 'audit', 'verify');
      expect(result.status).to.equal(1);
      expect(JSON.parse(result.stdout).broken).to.include({
        stream: target.stream,
        revision: target.revision + 1,
        problem: 'revision_gap',
      });
    } finally {
      temp.remove();
    }
  });
});
