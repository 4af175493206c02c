import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '../core/eventStore/types.js';
import { applyBatch, applyPages, bindProjections, handledTypes, type BoundProjection } from './applyBatch.js';
import type { Projection } from './projection.js';
import type { ReadModelStore } from './readModelStore.js';

/** Large batches: each commit rewrites the index pages it touched, so fewer commits replay faster. */
const BATCH_SIZE = 50_000;
const PAGE_SIZE = 1000;

export interface RebuildProgress {
  /** Events applied: those of the types the projections handle. */
  events: number;
  position: number;
  /** The store's last position when the rebuild started: 100% (more may arrive meanwhile). */
  head: number;
}

/**
 * Drops the projections' tables and replays every event into them, in batches that commit with their
 * checkpoints. Safe beside a running server: its runner sees the reset and catches up the same way,
 * and neither applies an event the other already applied (`applyPages`).
 */
export async function rebuildProjections(
  eventStore: EventStore,
  readModels: ReadModelStore,
  projections: readonly Projection[],
  onProgress: (progress: RebuildProgress) => void = () => {},
): Promise<RebuildProgress> {
  for (const projection of projections) readModels.reset(projection);
  const bound = bindProjections(readModels, projections);
  const progress: RebuildProgress = { events: 0, position: 0, head: await eventStore.lastPosition() };
  const replay = eventStore.readReplayPage ? replaySynchronously(eventStore.readReplayPage.bind(eventStore), readModels, bound, progress, onProgress) : replayBuffered(eventStore, readModels, bound, progress, onProgress);
  await replay;
  return progress;
}

/**
 * Each batch is read page by page inside its own transaction, so events are applied as they are
 * read and die young (holding 50,000 of them per batch made a tenth of a rebuild garbage collection).
 * Between batches the event loop turns, so a server running the rebuild keeps serving.
 */
async function replaySynchronously(
  readPage: NonNullable<EventStore['readReplayPage']>,
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  progress: RebuildProgress,
  onProgress: (progress: RebuildProgress) => void,
): Promise<void> {
  const types = handledTypes(bound);
  let more = true;
  function* batch(): Iterable<RecordedEvent[]> {
    for (let read = 0; read < BATCH_SIZE;) {
      const page = readPage(progress.position, types, PAGE_SIZE);
      if (page.length > 0) {
        read += page.length;
        progress.events += page.length;
        progress.position = page[page.length - 1]!.globalPosition;
        yield page;
      }
      if (page.length < PAGE_SIZE) {
        more = false;
        return;
      }
    }
  }
  while (more) {
    applyPages(readModels, bound, batch(), progress.position);
    onProgress({ ...progress });
    if (more) await nextTurn();
  }
}

/** For stores that read asynchronously: a batch is gathered, then applied in one transaction. */
async function replayBuffered(
  eventStore: EventStore,
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  progress: RebuildProgress,
  onProgress: (progress: RebuildProgress) => void,
): Promise<void> {
  let batch: RecordedEvent[] = [];
  const flush = () => {
    applyBatch(readModels, bound, batch, progress.position);
    progress.position = batch[batch.length - 1]!.globalPosition;
    progress.events += batch.length;
    batch = [];
    onProgress({ ...progress });
  };
  const filter = { eventTypes: handledTypes(bound) };
  for await (const page of eventStore.readAllPages?.({ filter }) ?? singleEvents(eventStore.readAll({ filter }))) {
    for (const event of page) {
      batch.push(event);
      if (batch.length >= BATCH_SIZE) flush();
    }
  }
  if (batch.length > 0) flush();
}

async function* singleEvents(events: AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent[]> {
  for await (const event of events) yield [event];
}
