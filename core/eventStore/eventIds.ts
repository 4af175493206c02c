import { createHash } from 'node:crypto';
import type { ExpectedRevision } from './types.js';

/**
 * The id of the `index`-th event of an append a command makes at `expected`: the same command sending
 * the same append again (after a timeout or a lost connection) sends the same ids, which every store
 * answers as the first write (`idempotentAppend.ts`; KurrentDB deduplicates them itself), so it is never
 * written twice. A new decision (after a conflict: another revision) gets ids of its own.
 *
 * `commandId` is the server's, one per command handled, not the request's correlation id: that one may
 * come from the caller (`X-Request-Id`), and two requests sharing it, deciding the same event at the
 * same revision in the same millisecond (parallel wrong guesses), would otherwise collapse into one
 * recorded failure. A UUID of version 8 (RFC 9562: custom).
 */
export function commandEventId(commandId: string, stream: string, expected: ExpectedRevision, index: number): string {
  const hash = createHash('sha256')
    .update(`otpledger-event-id\n${commandId}\n${stream}\n${String(expected)}\n${index}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
