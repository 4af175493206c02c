import { ConcurrencyError } from './concurrencyError.js';
import type { AppendResult, ExpectedRevision } from './types.js';

/** One append's outcome in a group commit: its result, or why it failed (a conflict, or what the database said). */
export type AppendOutcome =
  | { ok: true; result: AppendResult }
  | {
      ok: false;
      conflict?: { stream: string; expected: ExpectedRevision; actual: number | undefined };
      message: string;
      code?: string;
      error?: Error;
    };

/** Turns a failed outcome back into the error the caller sees. */
export function outcomeError(outcome: Extract<AppendOutcome, { ok: false }>): Error {
  if (outcome.error) return outcome.error;
  if (outcome.conflict) return new ConcurrencyError(outcome.conflict.stream, outcome.conflict.expected, outcome.conflict.actual);
  return Object.assign(new Error(outcome.message), outcome.code ? { code: outcome.code } : {});
}
