import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const racer = path.resolve('test/fixtures/devSecretRacer.ts');

describe('development secret files shared by two processes cold-starting on one data dir', function () {
  this.timeout(120_000);

  it('gives both processes the same keys every time: a reader sees no file or a whole one', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-secrets-race-'));
    try {
      const rounds = 150;
      // both children start round 0 at this moment: long enough for either to boot on a busy machine
      const startAt = String(Date.now() + 6000);
      const outputs = await Promise.all(
        [1, 2].map(() => run(process.execPath, ['--import', 'tsx', racer, base, String(rounds), startAt, '15'])),
      );
      const [first, second] = outputs.map(({ stdout }) =>
        stdout.split('\n').map((line) => JSON.parse(line) as { round: number; keys?: string; error?: string }),
      );
      expect(first).to.have.length(rounds);
      const disagreements = first!.filter((line, round) => line.error || second![round]!.error || line.keys !== second![round]!.keys);
      expect(disagreements.map((line) => [line, second![line.round]])).to.deep.equal([]);
      // and nothing half-written or temporary is left behind
      for (let round = 0; round < rounds; round++) {
        expect(fs.readdirSync(path.join(base, String(round), 'secrets')).sort()).to.deep.equal([
          'hmac.key',
          'master.key',
          'signing-key-rs256.jwk.json',
          'signing-key.jwk.json',
        ]);
      }
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
