import { chainOf, checkLink, type LinkProblem } from '../eventStore/hashChain.js';
import type { EventStore } from '../eventStore/types.js';

export interface ChainBreak {
  stream: string;
  revision: number;
  globalPosition: number;
  eventId: string;
  problem: LinkProblem;
}

export interface ChainReport {
  ok: boolean;
  /** Events and streams checked (up to the break, when there is one). */
  events: number;
  streams: number;
  /** The first broken link in global order. */
  broken?: ChainBreak;
  /** Global position of the last event read. */
  lastPosition: number;
}

/**
 * Walks every event in global order and checks each against the previous event of its stream
 * (`checkLink`): a changed type, data or metadata fails the event's own hash, a removed or reordered
 * event fails the next link. Stops at the first break. With `tenantId`, only streams whose first event
 * was written for that tenant are checked. Memory: one hash per stream.
 */
export async function verifyChain(
  eventStore: EventStore,
  options: { tenantId?: string; onProgress?: (events: number, position: number) => void } = {},
): Promise<ChainReport> {
  const heads = new Map<string, { revision: number; hash: string }>();
  const outOfScope = new Set<string>();
  let events = 0;
  let lastPosition = 0;
  for await (const event of eventStore.readAll()) {
    lastPosition = event.globalPosition;
    if (outOfScope.has(event.streamName)) continue;
    const previous = heads.get(event.streamName);
    if (!previous && options.tenantId !== undefined && event.metadata.tenantId !== options.tenantId) {
      outOfScope.add(event.streamName);
      continue;
    }
    events += 1;
    const problem = checkLink(previous, event);
    if (problem) {
      return {
        ok: false,
        events,
        streams: heads.size + (previous ? 0 : 1),
        lastPosition,
        broken: { stream: event.streamName, revision: event.revision, globalPosition: event.globalPosition, eventId: event.id, problem },
      };
    }
    heads.set(event.streamName, { revision: event.revision, hash: chainOf(event.metadata)!.hash });
    if (events % 10_000 === 0) options.onProgress?.(events, lastPosition);
  }
  return { ok: true, events, streams: heads.size, lastPosition };
}
