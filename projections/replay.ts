import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '../core/eventStore/types.js';
import { applyBatch, applyPages, handledTypes, type BoundProjection } from './applyBatch.js';
import type { ReadModelStore } from './readModelStore.js';

/** Large batches: each commit rewrites the index pages it touched, so fewer commits replay faster. */
const DEFAULT_BATCH_SIZE = 50_000;
const PAGE_SIZE = 1000;

export interface ReplayProgress {
  /** Events applied: those of the types the projections handle. */
  events: number;
  /** The position of the last event applied. */
  position: number;
}

export interface ReplayOptions {
  /** Called after each committed batch with the projections found reset meanwhile (see `applyPages`). */
  onBatch?: (progress: ReplayProgress, behind: readonly string[]) => void;
  /** Asked before each batch: `false` ends the replay there (a runner that stopped or restarted). */
  keepGoing?: () => boolean;
  /** Events per batch (one transaction), 50,000 unless given. */
  batchSize?: number;
  /** Wraps each batch's transaction (a runner bounds its wait for the write lock with it). */
  write?: <T>(transaction: () => T) => T;
}

/**
 * Replays the log after `from` into bound projections, in batches that commit with their checkpoints,
 * until the end of the log. Only events of the types they handle are read.
 */
export function replayInto(
  eventStore: EventStore,
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  from: number,
  options: ReplayOptions = {},
): Promise<ReplayProgress> {
  const resolved = {
    onBatch: () => {},
    keepGoing: () => true,
    batchSize: DEFAULT_BATCH_SIZE,
    write: <T>(transaction: () => T) => transaction(),
    ...options,
  };
  return eventStore.readReplayPage
    ? replaySynchronously(eventStore.readReplayPage.bind(eventStore), readModels, bound, from, resolved)
    : replayBuffered(eventStore, readModels, bound, from, resolved);
}

/**
 * Each batch is read page by page inside its own transaction, so events are applied as they are
 * read and die young (holding 50,000 of them per batch made a tenth of a rebuild garbage collection).
 * Between batches the event loop turns, so a server replaying keeps serving.
 */
async function replaySynchronously(
  readPage: NonNullable<EventStore['readReplayPage']>,
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  from: number,
  { onBatch, keepGoing, batchSize, write }: Required<ReplayOptions>,
): Promise<ReplayProgress> {
  const types = handledTypes(bound);
  const progress: ReplayProgress = { events: 0, position: from };
  let more = true;
  function* batch(): Iterable<RecordedEvent[]> {
    for (let read = 0; read < batchSize;) {
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
  while (more && keepGoing()) {
    const { behind } = write(() => applyPages(readModels, bound, batch(), progress.position));
    onBatch({ ...progress }, behind);
    if (more) await nextTurn();
  }
  return progress;
}

/** For stores that read asynchronously: a batch is gathered (filtered by type in the store), then applied. */
async function replayBuffered(
  eventStore: EventStore,
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  from: number,
  { onBatch, keepGoing, batchSize, write }: Required<ReplayOptions>,
): Promise<ReplayProgress> {
  const progress: ReplayProgress = { events: 0, position: from };
  let batch: RecordedEvent[] = [];
  const flush = (): boolean => {
    if (!keepGoing()) return false;
    const { behind } = write(() => applyBatch(readModels, bound, batch, progress.position));
    progress.position = batch[batch.length - 1]!.globalPosition;
    progress.events += batch.length;
    batch = [];
    onBatch({ ...progress }, behind);
    return true;
  };
  const options = { fromPosition: from, filter: { eventTypes: handledTypes(bound) } };
  for await (const event of eventStore.readAll(options)) {
    batch.push(event);
    if (batch.length >= batchSize && !flush()) return progress;
  }
  if (batch.length > 0) flush();
  return progress;
}
