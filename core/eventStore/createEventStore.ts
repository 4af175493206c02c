import path from 'node:path';
import type { EventStore } from './types.js';
import { SqliteEventStore } from './sqliteEventStore.js';
import { KurrentEventStore } from './kurrentEventStore.js';
import { PostgresEventStore } from './postgresEventStore.js';

/**
 * Picks the adapter from the configured URL:
 * `sqlite:./data/otpledger.db` (relative to the working directory), `postgres://...` or
 * `postgresql://...`, `kurrentdb://...` or `esdb://...` (and their `+discover` forms).
 * KurrentDB stamps `recordedAt` with its own clock; `now` applies to the other stores.
 */
export function createEventStore(url: string, options: { now?: () => Date } = {}): EventStore {
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    // the clock stamps `recordedAt`, which time travel and audit time ranges read: tests inject one
    return SqliteEventStore.open(path.resolve(url.trim().slice('sqlite:'.length)), options.now ? { now: options.now } : {});
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return new PostgresEventStore(url, options.now ? { now: options.now } : {});
  }
  if (scheme !== undefined && KURRENT_SCHEMES.has(scheme)) return KurrentEventStore.connect(url);
  throw new Error(`eventStore.url: unsupported scheme in "${redact(url)}" (use sqlite:, postgres://, kurrentdb:// or esdb://)`);
}

/** The schemes the KurrentDB client's own parser accepts (it lower-cases them). */
const KURRENT_SCHEMES = new Set([
  'kurrentdb',
  'kurrentdb+discover',
  'kurrent',
  'kurrent+discover',
  'kdb',
  'kdb+discover',
  'esdb',
  'esdb+discover',
]);

/** A URL fit for an error message: no password. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
