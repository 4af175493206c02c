import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';

describe('the SQLite store: a live subscription', () => {
  it('handles an event committed while its handler was busy at once, not at the next poll', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-subscription-')), 'events.db');
    // a poll no test waits for: only the store's wake can deliver in time
    const store = SqliteEventStore.open(file, { pollIntervalMs: 60_000 });
    const handled: string[] = [];
    let done!: () => void;
    const both = new Promise<void>((resolve) => (done = resolve));
    const subscription = store.subscribe({ fromPosition: 0 }, async (event: RecordedEvent) => {
      handled.push(event.type);
      if (event.type === 'First') {
        // the handler awaits I/O; the next commit lands meanwhile
        await store.appendToStream('s-2', [{ type: 'Second', data: {} }]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (handled.length === 2) done();
    });
    try {
      await subscription.caughtUp;
      await store.appendToStream('s-1', [{ type: 'First', data: {} }]);
      await Promise.race([both, new Promise((_, reject) => setTimeout(() => reject(new Error(`handled only ${handled}`)), 5_000))]);
      expect(handled).to.deep.equal(['First', 'Second']);
    } finally {
      await subscription.close();
      await store.close();
    }
  });
});
