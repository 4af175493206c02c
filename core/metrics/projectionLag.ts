import type { EventStore } from '../eventStore/types.js';
import type { Projection } from '../../projections/projection.js';
import type { ReadModelStore } from '../../projections/readModelStore.js';
import { projectionLagCap } from './serverMetrics.js';

/**
 * For each projection, the events of the types it handles that the store holds after its checkpoint, counted
 * up to `projectionLagCap` (read at scrape time; positions are not contiguous on every store, so they are
 * counted, not subtracted). 0 means the read model is up to date.
 */
export async function projectionLag({
  eventStore,
  readModels,
  projections,
}: {
  eventStore: EventStore;
  readModels: ReadModelStore;
  projections: readonly Projection[];
}): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for (const projection of projections) {
    let count = 0;
    const { position } = readModels.checkpoint(projection.name);
    for await (const event of eventStore.readAll({
      fromPosition: position,
      filter: { eventTypes: projection.canHandle },
      maxCount: projectionLagCap,
    })) {
      void event;
      count += 1;
    }
    lag[projection.name] = count;
  }
  return lag;
}
