import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { eventStoreContract } from '../contracts/eventStore.contract.js';

let file = '';
eventStoreContract('sqlite', {
  open() {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-store-')), 'events.db');
    return SqliteEventStore.open(file, { pollIntervalMs: 20 });
  },
  reopen() {
    return SqliteEventStore.open(file, { pollIntervalMs: 20 });
  },
});
