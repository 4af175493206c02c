import { performance } from 'node:perf_hooks';
import { ConcurrencyError } from '../eventStore/concurrencyError.js';
import type { EventStore } from '../eventStore/types.js';
import { countAppendedEvents } from './eventCounters.js';
import type { ServerMetrics } from './serverMetrics.js';

/**
 * The event store with its appends timed (`otpledger_event_store_append_duration_seconds`) and the events of
 * each successful append counted (`countAppendedEvents`). Every other method is the store's own, bound to it,
 * optional ones (`readReplayPage`, `streamRevision`) staying absent when the adapter lacks them.
 */
export function meteredEventStore(store: EventStore, metrics: ServerMetrics): EventStore {
  const appendToStream: EventStore['appendToStream'] = async (stream, events, options) => {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await store.appendToStream(stream, events, options);
      outcome = 'ok';
      countAppendedEvents(metrics, events);
      return result;
    } catch (error) {
      if (error instanceof ConcurrencyError) outcome = 'conflict';
      throw error;
    } finally {
      metrics.eventStoreAppendDuration.observe({ outcome }, (performance.now() - started) / 1000);
    }
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendToStream') return appendToStream;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!bound.has(property)) bound.set(property, (value as (...args: unknown[]) => unknown).bind(target));
      return bound.get(property);
    },
  });
}
