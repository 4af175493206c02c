import type { EventFilter, RecordedEvent } from './types.js';

/** The one definition of what a filter keeps, shared by every adapter. */
export function matchesFilter(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  const { streamPrefixes, eventTypes, recordedFrom, recordedBefore } = filter;
  if (streamPrefixes && !streamPrefixes.some((prefix) => event.streamName.startsWith(prefix))) return false;
  if (eventTypes && !eventTypes.includes(event.type)) return false;
  if (recordedFrom && event.recordedAt < recordedFrom) return false;
  if (recordedBefore && event.recordedAt >= recordedBefore) return false;
  return true;
}
