import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { chainOf, checkLink } from '../../core/eventStore/hashChain.js';
import { PostgresEventStore } from '../../core/eventStore/postgresEventStore.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { describePostgres, freshSchema } from '../support/postgres.js';
import { until } from '../support/until.js';

const run = promisify(execFile);
const appender = path.resolve('test/fixtures/postgresAppender.ts');

describePostgres('PostgreSQL event store shared by two processes', (url) => {
  it('gives a live subscriber every event exactly once, in order, while both append at once', async function () {
    this.timeout(120_000);
    const schema = freshSchema(url, 'twoproc');
    const store = await PostgresEventStore.open(schema.url, { pollIntervalMs: 1000 });
    try {
      const prefix = 'race-';
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe({ filter: { streamPrefixes: [prefix] } }, (event) => {
        seen.push(event);
      });
      await subscription.caughtUp;
      const count = 2000;
      const startAt = String(Date.now() + 6000);
      const outputs = await Promise.all(
        ['p1', 'p2'].map((tag) => run(process.execPath, ['--import', 'tsx', appender, schema.url, prefix, String(count), tag, startAt])),
      );
      const appended = outputs.reduce((sum, { stdout }) => sum + (JSON.parse(stdout) as { appended: number }).appended, 0);
      await until(() => seen.length >= appended, `${appended} events`, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await subscription.close();

      expect(seen).to.have.length(appended);
      expect(new Set(seen.map((e) => e.id)).size).to.equal(appended);
      const positions = seen.map((e) => e.globalPosition);
      expect(
        positions.every((p, i) => i === 0 || p > positions[i - 1]!),
        'strictly increasing positions',
      ).to.equal(true);
      // the live subscriber missed nothing that a later full read finds
      const all: string[] = [];
      for await (const event of store.readAll({ filter: { streamPrefixes: [prefix] } })) all.push(event.id);
      expect(all).to.deep.equal(seen.map((e) => e.id));
      // streams both processes wrote to: contiguous revisions, one chain
      const heads = new Map<string, { revision: number; hash: string }>();
      for (const event of seen) {
        expect(checkLink(heads.get(event.streamName), event), `${event.streamName}@${event.revision}`).to.equal(undefined);
        heads.set(event.streamName, { revision: event.revision, hash: chainOf(event.metadata)!.hash });
      }
      const shared = seen.filter((e) => e.streamName.startsWith(`${prefix}shared-`));
      expect(new Set(shared.map((e) => (e.data as { tag: string }).tag))).to.deep.equal(new Set(['p1', 'p2']));
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
