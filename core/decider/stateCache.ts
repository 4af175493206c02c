import type { EventStore } from '../eventStore/types.js';
import { BoundedCache } from '../support/boundedCache.js';

interface Entry {
  decider: object;
  revision: number;
  /** The id of the event at `revision`: a catch-up folds on only while that very event is still there. */
  lastEventId: string | undefined;
  state: unknown;
}

const caches = new WeakMap<EventStore, BoundedCache<string, Entry>>();

/**
 * Folded states of the streams the command side reads, per store, keyed by stream, each with the revision
 * it was folded at: a caller checks the stream's current revision (a cheap point query) and uses the state
 * when it is still that revision, or folds the few newer events onto it, so reads stay strongly consistent
 * while a busy stream (an application, a user, a phone's codes) is not re-read and re-parsed on every request.
 */
export const stateCache = {
  /** The newest state remembered for the stream (by this decider), whatever its revision. */
  latest<State>(
    store: EventStore,
    stream: string,
    decider: object,
  ): { revision: number; lastEventId: string | undefined; state: State } | undefined {
    const entry = caches.get(store)?.get(stream);
    return entry && entry.decider === decider
      ? { revision: entry.revision, lastEventId: entry.lastEventId, state: entry.state as State }
      : undefined;
  },

  set(store: EventStore, stream: string, decider: object, revision: number, lastEventId: string | undefined, state: unknown): void {
    let cache = caches.get(store);
    if (!cache) caches.set(store, (cache = new BoundedCache(20_000)));
    cache.set(stream, { decider, revision, lastEventId, state });
  },
};
