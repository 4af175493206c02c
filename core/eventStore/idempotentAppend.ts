import { ConcurrencyError } from './concurrencyError.js';
import { satisfies } from './expectedRevision.js';
import type { AppendResult, ExpectedRevision } from './types.js';

/** Where an event with a given id was recorded. */
export interface StoredEvent {
  id: string;
  stream: string;
  revision: number;
  type: string;
  position: number;
}

/** The ids of an append were recorded, but not as that append: the same ids for different events. */
export class EventIdReusedError extends Error {
  override readonly name = 'EventIdReusedError';
  readonly code = 'event_id_reused';
}

/**
 * A retried append (same event ids) that was already written answers what the first write answered,
 * and writes nothing: the idempotent success every adapter gives, so a retry after a timeout or a
 * lost connection never duplicates events. Returns undefined when none of the ids is stored (a new
 * append). Throws when some of them are stored, or stored as other events, streams or order, and
 * a `ConcurrencyError` when the retry's expected revision does not fit where the events were written.
 */
export function replayedAppend(
  append: { stream: string; expected: ExpectedRevision; ids: readonly string[]; types: readonly string[] },
  find: (id: string) => StoredEvent | undefined,
): AppendResult | undefined {
  const found = append.ids.map(find);
  if (found.every((event) => event === undefined)) return undefined;
  const first = found[0];
  const same =
    first !== undefined &&
    found.every(
      (event, index) =>
        event !== undefined &&
        event.stream === append.stream &&
        event.revision === first.revision + index &&
        event.type === append.types[index],
    );
  if (!same) {
    throw new EventIdReusedError(`stream ${append.stream}: the event ids of this append were already recorded for other events`);
  }
  if (!satisfies(append.expected, first.revision - 1)) throw new ConcurrencyError(append.stream, append.expected, undefined);
  const last = found[found.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position };
}
