import path from 'node:path';
import type { EventStore } from './types.js';
import { SqliteEventStore } from './sqliteEventStore.js';
import { KurrentEventStore } from './kurrentEventStore.js';

/**
 * Picks the adapter from the configured URL:
 * `sqlite:./data/otpledger.db` (relative to the working directory), `kurrentdb://...` or `esdb://...`.
 * KurrentDB stamps `recordedAt` with its own clock; `now` applies to the embedded store only.
 */
export function createEventStore(url: string, options: { now?: () => Date } = {}): EventStore {
  if (url.startsWith('sqlite:')) {
    // the clock stamps `recordedAt`, which time travel and audit time ranges read: tests inject one
    return SqliteEventStore.open(path.resolve(url.slice('sqlite:'.length)), options.now ? { now: options.now } : {});
  }
  if (url.startsWith('kurrentdb://') || url.startsWith('kurrent://') || url.startsWith('esdb://') || url.startsWith('esdb+discover://') || url.startsWith('kurrentdb+discover://')) {
    return KurrentEventStore.connect(url);
  }
  throw new Error(`eventStore.url: unsupported scheme in "${url}" (use sqlite:, kurrentdb:// or esdb://)`);
}
