/**
 * The event store cannot be reached (down, restarting, unreachable, or not answering within its
 * timeout). Adapters throw it instead of their driver's connection errors, so the HTTP layer answers
 * a clear 503 and the caller may retry; an append that failed this way may or may not have been
 * written (its event ids make a retry of the same append an idempotent success).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
