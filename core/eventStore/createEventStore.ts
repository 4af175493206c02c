import path from 'node:path';
import type { EventStore } from './types.js';
import { SqliteEventStore } from './sqliteEventStore.js';
import { KurrentEventStore } from './kurrentEventStore.js';

/**
 * Picks the adapter from the configured URL:
 * `sqlite:./data/otpledger.db` (relative to the working directory), `kurrentdb://...` or `esdb://...`.
 */
export function createEventStore(url: string): EventStore {
  if (url.startsWith('sqlite:')) {
    return SqliteEventStore.open(path.resolve(url.slice('sqlite:'.length)));
  }
  if (url.startsWith('kurrentdb://') || url.startsWith('kurrent://') || url.startsWith('esdb://') || url.startsWith('esdb+discover://') || url.startsWith('kurrentdb+discover://')) {
    return KurrentEventStore.connect(url);
  }
  throw new Error(`eventStore.url: unsupported scheme in "${url}" (use sqlite:, kurrentdb:// or esdb://)`);
}
