import type { RecordedEvent } from '../core/eventStore/types.js';
import type { Projection, ProjectionWriter } from './projection.js';
import type { ReadModelStore } from './readModelStore.js';

/** A projection with its statements prepared on the read model database. */
export interface BoundProjection {
  projection: Projection;
  writer: ProjectionWriter;
  handles: ReadonlySet<string>;
  forgetsOn: ReadonlySet<string>;
}

export function bindProjections(readModels: ReadModelStore, projections: readonly Projection[]): BoundProjection[] {
  return projections.map((projection) => {
    readModels.prepare(projection);
    return {
      projection,
      writer: projection.writer(readModels.db),
      handles: new Set(projection.canHandle),
      forgetsOn: new Set(projection.forgetsOn ?? []),
    };
  });
}

/** Every event type some of these projections handle: what a rebuild needs to read. */
export function handledTypes(bound: readonly BoundProjection[]): string[] {
  return [...new Set(bound.flatMap(({ projection }) => projection.canHandle))];
}

/** Applies a batch of consecutive events, read after position `from` (see `applyPages`). */
export function applyBatch(
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  events: readonly RecordedEvent[],
  from: number,
): { behind: string[] } {
  return applyPages(readModels, bound, [events], from);
}

/**
 * Applies consecutive events, read after position `from` page by page (a page is applied as it is
 * read, so a large batch never sits in memory), and moves every projection's checkpoint, all in one
 * immediate transaction. The pages may skip events that none of the projections handle.
 *
 * Inside the transaction each projection's checkpoint is read afresh, so two appliers on one file (the
 * server's runner and a `projections rebuild`) never apply an event twice: each applies only events
 * after the stored checkpoint. A projection whose checkpoint is before `from` (it was reset meanwhile)
 * is left alone, since applying would skip events: it is reported back so its reader restarts from
 * the checkpoint. After a batch in which a projection deleted personal data (`forgetsOn`), the WAL is
 * checkpointed.
 */
export function applyPages(
  readModels: ReadModelStore,
  bound: readonly BoundProjection[],
  pages: Iterable<readonly RecordedEvent[]>,
  from: number,
): { behind: string[] } {
  const behind: string[] = [];
  let forgot = false;
  readModels.db
    .transaction(() => {
      const active: { bound: BoundProjection; after: number }[] = [];
      for (const each of bound) {
        const checkpoint = readModels.checkpoint(each.projection.name);
        if (checkpoint.position < from || checkpoint.version !== each.projection.version) behind.push(each.projection.name);
        else active.push({ bound: each, after: checkpoint.position });
      }
      // which projections take each type, looked up once per event rather than once per projection
      const byType = new Map<string, typeof active>();
      for (const entry of active) {
        for (const type of entry.bound.handles) byType.set(type, [...(byType.get(type) ?? []), entry]);
      }
      let last: number | undefined;
      for (const page of pages) {
        for (const event of page) {
          const takers = byType.get(event.type);
          if (takers) {
            for (const {
              bound: { writer, forgetsOn },
              after,
            } of takers) {
              if (event.globalPosition <= after) continue;
              writer.apply(event);
              if (forgetsOn.has(event.type)) forgot = true;
            }
          }
        }
        last = page[page.length - 1]?.globalPosition ?? last;
      }
      if (last === undefined) return;
      for (const {
        bound: { projection, writer },
        after,
      } of active) {
        if (after >= last) continue;
        writer.flush?.();
        readModels.setCheckpoint(projection.name, last, projection.version);
      }
    })
    .immediate();
  if (forgot) readModels.checkpointWal();
  return { behind };
}
