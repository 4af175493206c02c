import type { ExpectedRevision } from './types.js';

/** The stream was not at the revision the caller expected: someone else appended first. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision, -1 when it does not exist, undefined when the store did not say. */
    readonly actual: number | undefined,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual ?? 'unknown'}`);
  }
}
