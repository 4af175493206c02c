import path from 'node:path';
import type { KeyStore } from './keyStore.js';
import { PostgresKeyStore } from './postgresKeyStore.js';
import { SqliteKeyStore } from './sqliteKeyStore.js';

/**
 * Picks the key store from `keyStore.url`: `sqlite:<file>` (by default `subject-keys.db` beside the
 * SQLite event store, or in the data dir) or `postgres://...` (by default the PostgreSQL event store's
 * own URL: the keys live in its database and schema). Every otpledger process sharing an event store
 * must share this key store too. `warn` hears what a deletion could not guarantee.
 */
export function createKeyStore(url: string, options: { warn?: (message: string) => void } = {}): KeyStore {
  if (url.startsWith('sqlite:')) return SqliteKeyStore.open(path.resolve(url.slice('sqlite:'.length)));
  if (/^\s*postgres(ql)?:\/\//i.test(url)) return new PostgresKeyStore(url, options.warn);
  throw new Error(`keyStore.url: unsupported scheme (use sqlite:<file> or postgres://...)`);
}
