import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteKeyStore } from '../../core/privacy/sqliteKeyStore.js';
import { keyStoreContract } from '../contracts/keyStore.contract.js';

let dir = '';
const file = () => path.join(dir, 'subject-keys.db');

keyStoreContract('sqlite', {
  open() {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otpledger-keys-'));
    return SqliteKeyStore.open(file());
  },
  openAnother: () => SqliteKeyStore.open(file()),
  // the database, its WAL and shared-memory index: everything SQLite keeps on disk
  persistedBytes: () => fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name))),
});
