import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';

const run = promisify(execFile);
const appender = path.resolve('test/fixtures/racingAppender.ts');

describe('sqlite event store shared by two processes', function () {
  this.timeout(120_000);

  it('loses nothing and never gives one revision to two writers', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-2proc-')), 'events.db');
    await SqliteEventStore.open(file).close(); // create the schema before the race
    const count = 150;
    // both children start appending at this moment: long enough for either to boot on a busy machine
    const startAt = String(Date.now() + 6000);
    const outputs = await Promise.all(
      ['p1', 'p2'].map((tag) => run(process.execPath, ['--import', 'tsx', appender, file, 'shared', String(count), tag, startAt])),
    );
    const reports = outputs.map(({ stdout }) => JSON.parse(stdout) as { tag: string; conflicts: number });

    const store = SqliteEventStore.open(file);
    const events = await store.readStream('shared');
    await store.close();
    expect(events.map((e) => e.revision)).to.deep.equal(Array.from({ length: 2 * count }, (_, i) => i));
    for (const tag of ['p1', 'p2']) {
      const seqs = events
        .map((e) => e.data as { tag: string; seq: number })
        .filter((d) => d.tag === tag)
        .map((d) => d.seq);
      expect(seqs).to.deep.equal(Array.from({ length: count }, (_, i) => i));
    }
    // the processes really raced: at least one append lost to the other process and was retried
    expect(reports.reduce((sum, r) => sum + r.conflicts, 0)).to.be.greaterThan(0);
  });
});
