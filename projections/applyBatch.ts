import type { RecordedEvent } from '../core/eventStore/types.js';
import type { Projection, ProjectionWriter } from './projection.js';
import type { ReadModelStore } from './readModelStore.js';

/** A projection with its statements prepared on the read model database. */
export interface BoundProjection {
  projection: Projection;
  writer: ProjectionWriter;
  handles: ReadonlySet<string>;
}

export function bindProjections(readModels: ReadModelStore, projections: readonly Projection[]): BoundProjection[] {
  return projections.map((projection) => {
    readModels.prepare(projection);
    return { projection, writer: projection.writer(readModels.db), handles: new Set(projection.canHandle) };
  });
}

/**
 * Applies a batch of consecutive events, read after position `from`, and moves every projection's
 * checkpoint, all in one immediate transaction. Inside it each projection's checkpoint is read
 * afresh, so two appliers on one file (the server's runner and a `projections rebuild`) never apply an
 * event twice: each applies only events after the stored checkpoint. A projection whose checkpoint is
 * before `from` (it was reset meanwhile) is left alone, since applying would skip events: it is reported
 * back so its reader restarts from the checkpoint.
 */
export function applyBatch(readModels: ReadModelStore, bound: readonly BoundProjection[], events: readonly RecordedEvent[], from: number): { behind: string[] } {
  const behind: string[] = [];
  const last = events[events.length - 1]?.globalPosition;
  if (last === undefined) return { behind };
  readModels.db.transaction(() => {
    for (const { projection, writer, handles } of bound) {
      const checkpoint = readModels.checkpoint(projection.name);
      if (checkpoint.position < from || checkpoint.version !== projection.version) {
        behind.push(projection.name);
        continue;
      }
      if (checkpoint.position >= last) continue;
      for (const event of events) {
        if (event.globalPosition > checkpoint.position && handles.has(event.type)) writer.apply(event);
      }
      writer.flush?.();
      readModels.setCheckpoint(projection.name, last, projection.version);
    }
  }).immediate();
  return { behind };
}
