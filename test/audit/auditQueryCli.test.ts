import { expect } from 'chai';
import { cli, cliConfigFor } from '../support/cli.js';
import { startOtpServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';
import { driveTraffic } from '../support/traffic.js';

describe('otpledger audit query (CLI): the same schema as the API checks its filters', function () {
  this.timeout(120_000);

  it('exports the selection as NDJSON; a malformed filter exits 1 naming it and exports nothing', async () => {
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
        [['--from', 'yesterday'], 'from must be an ISO 8601 time'],
        [['--cursor=-1'], 'cursor must be a global position (a non-negative integer)'],
        [['--to', '2026-02-30'], 'to must be an ISO 8601 time'],
      ] as const) {
        const refused = cli(configFile, 'audit', 'query', '--tenant', 'acme', ...args);
        expect(refused.status, args.join(' ')).to.equal(1);
        expect(refused.stderr.trim()).to.equal(`otpledger: ${message}`);
        expect(refused.stdout).to.equal('');
      }
    } finally {
      temp.remove();
    }
  });
});
