import { expect } from 'chai';
import { cli, cliConfigFor } from '../support/cli.js';
import { startOtpServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';
import { driveTraffic } from '../support/traffic.js';

describe('otpledger audit query and state (CLI): their options checked by the schemas the API checks its queries with', function () {
  this.timeout(120_000);

  it('exports the selection as NDJSON and answers state; a malformed option is a usage error (exit 2) naming it, and prints nothing', async () => {
    const temp = tempDir();
    try {
      const t = await startOtpServer({ clock: true, dir: temp.dir });
      const day = t.clock!.now().toISOString().slice(0, 10);
      await driveTraffic(t);
      const { configFile } = cliConfigFor(t);
      await t.close();

      const selected = cli(configFile, 'audit', 'query', '--tenant', 'acme', '--types', 'OtpIssued', '--from', day);
      expect(selected.status, selected.stderr).to.equal(0);
      const lines = selected.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string });
      expect(lines.length).to.be.greaterThan(0);
      expect(new Set(lines.map((line) => line.type))).to.deep.equal(new Set(['OtpIssued']));

      for (const [args, message] of [
        [['audit', 'query', '--from', 'yesterday'], '--from must be an ISO 8601 time'],
        [['audit', 'query', '--cursor=-1', '--user-id', ''], '--cursor must be a global position (a non-negative integer)'],
        [['audit', 'query', '--to', '2026-02-30'], '--to must be an ISO 8601 time'],
        [['state', '--kind', 'nope'], '--kind must be one of user, provider, policy, lockouts, protection'],
        [['state', '--kind', 'policy'], '--id is required'],
        [['state', '--kind', 'provider', '--at', 'yesterday'], '--at must be an ISO 8601 time or a global position'],
      ] as const) {
        const refused = cli(configFile, ...args, '--tenant', 'acme');
        expect(refused.status, args.join(' ')).to.equal(2);
        expect(refused.stderr.split('\n')[0]).to.equal(`otpledger: ${message}`);
        expect(refused.stdout).to.equal('');
      }
      const provider = cli(configFile, 'state', '--tenant', 'acme', '--kind', 'provider', '--at', day);
      expect(provider.status, provider.stderr).to.equal(0);
    } finally {
      temp.remove();
    }
  });
});
