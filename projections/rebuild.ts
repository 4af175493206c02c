import type { EventStore, RecordedEvent } from '../core/eventStore/types.js';
import { applyBatch, bindProjections } from './applyBatch.js';
import type { Projection } from './projection.js';
import type { ReadModelStore } from './readModelStore.js';

/** Large batches: each commit rewrites the index pages it touched, so fewer commits replay faster. */
const BATCH_SIZE = 50_000;

export interface RebuildProgress {
  events: number;
  position: number;
  /** The store's last position when the rebuild started: 100% (more may arrive meanwhile). */
  head: number;
}

/**
 * Drops the projections' tables and replays every event into them, in batches that commit with their
 * checkpoints. Safe beside a running server: its runner sees the reset and catches up the same way,
 * and neither applies an event the other already applied (`applyBatch`).
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
  let batch: RecordedEvent[] = [];
  let from = 0;
  let events = 0;
  const flush = () => {
    applyBatch(readModels, bound, batch, from);
    from = batch[batch.length - 1]!.globalPosition;
    events += batch.length;
    batch = [];
    onProgress({ events, position: from, head });
  };
  for await (const page of eventStore.readAllPages?.() ?? singleEvents(eventStore.readAll())) {
    for (const event of page) {
      batch.push(event);
      if (batch.length >= BATCH_SIZE) flush();
    }
  }
  if (batch.length > 0) flush();
  return { events, position: from, head };
}

async function* singleEvents(events: AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent[]> {
  for await (const event of events) yield [event];
}
