import type { Logger } from '../core/logger.js';
import { isLockBusy, type ReadModelStore } from './readModelStore.js';

/**
 * How long a write waits for the read-model write lock, which a `projections rebuild` in another process holds
 * for a whole batch (about half a second): the wait blocks the event loop, so the server gives up quickly and
 * tries again a little later, and keeps answering requests meanwhile.
 */
const LOCK_WAIT_MS = 20;
const LOCKED_RETRY_MS = 100;

/**
 * Writes to the read models that back off, instead of blocking, while another process holds the write lock:
 * `write` waits at most 20 ms; after a write that found the lock busy, `retryIfBusy` runs the retry 100 ms later.
 */
export class LockBackoff {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly readModels: ReadModelStore,
    private readonly logger: Logger,
  ) {}

  /** Whether a retry is waiting for the lock. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  write<T>(write: () => T): T {
    return this.readModels.withLockWait(LOCK_WAIT_MS, write);
  }

  /** True, with `retry` scheduled, when `error` was the busy lock; false for any other error. */
  retryIfBusy(error: unknown, retry: () => void, what: string): boolean {
    if (!isLockBusy(error)) return false;
    this.logger.debug(`read models are locked by another writer (a rebuild?): ${what} shortly`);
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      retry();
    }, LOCKED_RETRY_MS).unref();
    return true;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
