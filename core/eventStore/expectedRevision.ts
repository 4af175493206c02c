import type { ExpectedRevision } from './types.js';

/** Whether a stream at revision `current` (-1: no stream) is what the caller expected. */
export function satisfies(expected: ExpectedRevision, current: number): boolean {
  return (
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    expected === current
  );
}
