import path from 'node:path';
import type { KeyStore } from './keyStore.js';
import { SqliteKeyStore } from './sqliteKeyStore.js';

/**
 * Picks the key store from `keyStore.url`: `sqlite:<file>` (by default `subject-keys.db` beside the
 * SQLite event store, or in the data dir). Every otpledger process sharing an event store must share
 * this key store too.
 */
export function createKeyStore(url: string): KeyStore {
  if (url.startsWith('sqlite:')) return SqliteKeyStore.open(path.resolve(url.slice('sqlite:'.length)));
  throw new Error(`keyStore.url: unsupported scheme in "${url}" (use sqlite:<file>)`);
}
