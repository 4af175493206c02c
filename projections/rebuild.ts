import type { EventStore } from '../core/eventStore/types.js';
import { bindProjections } from './applyBatch.js';
import type { Projection } from './projection.js';
import type { ReadModelStore } from './readModelStore.js';
import { replayInto, type ReplayProgress } from './replay.js';

export interface RebuildProgress extends ReplayProgress {
  /** The store's last position when the rebuild started: 100% (more may arrive meanwhile). */
  head: number;
}

/**
 * Drops the projections' tables and replays every event into them (`replayInto`). Safe beside a
 * running server: its runner sees the reset and catches up the same way, and neither applies an event
 * the other already applied (`applyPages`).
 */
export async function rebuildProjections(
  eventStore: EventStore,
  readModels: ReadModelStore,
  projections: readonly Projection[],
  onProgress: (progress: RebuildProgress) => void = () => {},
): Promise<RebuildProgress> {
  for (const projection of projections) readModels.reset(projection);
  const bound = bindProjections(readModels, projections);
  const head = await eventStore.lastPosition();
  const done = await replayInto(eventStore, readModels, bound, 0, { onBatch: (progress) => onProgress({ ...progress, head }) });
  return { ...done, head };
}
