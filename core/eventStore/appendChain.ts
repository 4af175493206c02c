import { chainMetadata } from './hashChain.js';
import type { EventMetadata, NewEvent } from './types.js';

/** A stream's last revision (-1: no stream) and its last chain hash (`null` before the first event). */
export interface StreamHead {
  revision: number;
  hash: string | null;
}

export const NO_STREAM_HEAD: StreamHead = { revision: -1, hash: null };

/** One event as a store writes it: revision taken, metadata chained to the event before it. */
export interface ChainedEvent {
  id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** `data` and `metadata` as the JSON text to store (`hashChain.ts`: serialised once, for the hash and the row). */
  dataJson: string;
  metadataJson: string;
}

/**
 * The events of one append laid after `head`, each linked to the one before it (`hashChain.ts`),
 * and the stream's head after them. `ids` are the events' ids, fixed before the first attempt, so a
 * retried write carries the same ones.
 */
export function chainAppend(
  head: StreamHead,
  events: readonly NewEvent[],
  ids: readonly string[],
): { rows: ChainedEvent[]; head: StreamHead } {
  let revision = head.revision;
  let prev = head.hash;
  // a loop, not map: this runs for every append
  const rows: ChainedEvent[] = new Array<ChainedEvent>(events.length);
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    revision += 1;
    const data = event.data ?? null;
    const chained = chainMetadata(prev, event.type, data, event.metadata);
    prev = chained.hash;
    rows[index] = {
      id: ids[index]!,
      revision,
      type: event.type,
      data,
      metadata: chained.metadata,
      dataJson: chained.dataJson,
      metadataJson: chained.metadataJson,
    };
  }
  return { rows, head: { revision, hash: prev } };
}
