import type { EventStore } from '../eventStore/types.js';
import { BoundedCache } from '../support/boundedCache.js';

interface Entry {
  decider: object;
  revision: number;
  state: unknown;
}

const caches = new WeakMap<EventStore, BoundedCache<string, Entry>>();

/**
 * Folded states of the streams the command side reads, per store, keyed by stream and valid for one
 * revision only: a caller checks the stream's current revision (a cheap point query) and uses the
 * state only when it is still that revision, so reads stay strongly consistent while a busy stream
 * (an application, a user, a phone's codes) is not re-read and re-parsed on every request.
 */
export const stateCache = {
  get<State>(store: EventStore, stream: string, decider: object, revision: number): State | undefined {
    const entry = caches.get(store)?.get(stream);
    return entry && entry.decider === decider && entry.revision === revision ? (entry.state as State) : undefined;
  },

  set(store: EventStore, stream: string, decider: object, revision: number, state: unknown): void {
    let cache = caches.get(store);
    if (!cache) caches.set(store, (cache = new BoundedCache(20_000)));
    cache.set(stream, { decider, revision, state });
  },
};
