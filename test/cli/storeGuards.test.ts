import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { cli } from '../support/cli.js';
import { tempDir, writeJson } from '../support/tempDir.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('otpledger CLI: it never creates a store, and an empty verification is no verification', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('run in a directory with no data dir and no config, refuses (exit 2) and creates nothing', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTPLEDGER_')));
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/otpledger.js'), 'audit', 'verify'], {
      cwd: temp.dir,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.contain(`no event store at ${path.join(temp.dir, 'data', 'otpledger.db')}`);
    expect(run.stderr).to.contain('never creates one');
    expect(readdirSync(temp.dir)).to.deep.equal([]);
  });

  it('audit verify over zero events exits 1 and says so; --allow-empty accepts it', () => {
    const eventsFile = path.join(temp.dir, 'otpledger.db');
    new Database(eventsFile).close(); // an existing, empty store file (the adapter migrates it)
    const configFile = writeJson(temp.dir, 'cli.json', {
      dataDir: temp.dir,
      eventStore: { url: `sqlite:${eventsFile}` },
      log: { level: 'silent' },
    });

    const refused = cli(configFile, 'audit', 'verify');
    expect(refused.status, refused.stderr).to.equal(1);
    // stdout agrees with the exit code: a caller reading only the report is not told it passed
    expect(JSON.parse(refused.stdout)).to.include({
      ok: false,
      events: 0,
      reason: 'no events to verify: nothing was checked (wrong store or tenant?)',
    });
    expect(refused.stderr).to.contain('no events to verify: nothing was checked');

    const forTenant = cli(configFile, 'audit', 'verify', '--tenant', 'nosuch');
    expect(forTenant.status).to.equal(1);
    expect(JSON.parse(forTenant.stdout)).to.include({ ok: false, events: 0 });
    expect(JSON.parse(forTenant.stdout).reason).to.match(/^no events of tenant nosuch to verify/);
    expect(forTenant.stderr).to.contain('no events of tenant nosuch to verify');

    const allowed = cli(configFile, 'audit', 'verify', '--allow-empty');
    expect(allowed.status, allowed.stderr).to.equal(0);
    expect(JSON.parse(allowed.stdout)).to.include({ ok: true, events: 0 });
    expect(allowed.stderr).to.contain('accepted: --allow-empty');
    // a verification of nothing left nothing behind: no audit record for a tenant that has no events
    const db = new Database(eventsFile, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).to.deep.equal({ n: 0 });
    db.close();
  });

  it('the help says state --kind provider (or protection) needs no --id', () => {
    const help = cli(path.join(temp.dir, 'unused.json'), '--help');
    expect(help.status).to.equal(0);
    expect(help.stderr).to.match(
      /state --tenant <id> --kind provider\|protection \[--at <iso\|position>\] +the tenant's SMS provider or protection policy: no --id/,
    );
    expect(existsSync(path.join(temp.dir, 'unused.json'))).to.equal(false);
  });
});
