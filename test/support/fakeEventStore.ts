import type { EventStore } from '../../core/eventStore/types.js';

/**
 * A stand-in for tests about HTTP plumbing only: `ping` succeeds or fails on demand, `close` is recorded,
 * everything else refuses. Anything about events uses the real store.
 */
export function fakeEventStore(options: { pingFails?: boolean } = {}): EventStore & { closed: boolean } {
  const refuse = () => {
    throw new Error('fakeEventStore: not implemented');
  };
  return {
    closed: false,
    appendToStream: refuse,
    readStream: refuse,
    readAll: refuse,
    subscribe: refuse,
    lastPosition: refuse,
    async ping() {
      if (options.pingFails) throw new Error('store unreachable');
    },
    async close() {
      this.closed = true;
    },
  };
}
