import type { EventFilter, EventHandler, RecordedEvent, SubscribeOptions, Subscription } from './types.js';

/** What a subscription needs from the PostgreSQL store. */
export interface PostgresPageSource {
  readPage(position: number, filter: EventFilter | undefined, limit: number, upTo: number): Promise<RecordedEvent[]>;
  lastPosition(): Promise<number>;
  /** Calls `wake` after each commit (any process); returns the function that stops it. */
  listen(wake: () => void): () => void;
}

const PAGE_SIZE = 500;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * Catch-up, then live: pages after its checkpoint up to the head, then sleeps until a NOTIFY (any
 * process's commit) or the poll interval, whichever comes first. Positions become visible in order
 * (`postgresWriter.ts`), so reading after the checkpoint never skips an event.
 *
 * The database going away is not the end of the subscription: reads are retried with backoff
 * until it answers again, and the subscription goes on from its checkpoint. Only a handler that
 * throws reaches `onError` (then the subscription is closed).
 */
export class PostgresSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private resolveCaughtUp!: () => void;
  private handled: number;
  private scanned: number;
  private closed = false;
  private loop: Promise<void> = Promise.resolve();
  private sleeper: { timer: NodeJS.Timeout; done: () => void } | undefined;
  private woken = false;
  private stopListening: () => void = () => undefined;
  private retryMs = FIRST_RETRY_MS;

  constructor(
    private readonly source: PostgresPageSource,
    private readonly options: SubscribeOptions,
    private readonly handler: EventHandler,
    private readonly pollIntervalMs: number,
    private readonly onClose: () => void,
  ) {
    this.handled = options.fromPosition ?? 0;
    this.scanned = this.handled;
    this.caughtUp = new Promise((resolve) => (this.resolveCaughtUp = resolve));
  }

  get position(): number {
    return this.handled;
  }

  start(): void {
    this.stopListening = this.source.listen(() => this.wake());
    this.loop = this.run().catch((error: unknown) => {
      if (this.closed) return;
      this.closed = true;
      this.stopListening();
      this.onClose();
      this.resolveCaughtUp();
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private async run(): Promise<void> {
    let headAtStart: number | undefined;
    while (!this.closed) {
      this.woken = false;
      let head: number;
      try {
        head = await this.source.lastPosition();
        headAtStart ??= head;
        while (!this.closed && this.scanned < head) {
          const page = await this.source.readPage(this.scanned, this.options.filter, PAGE_SIZE, head);
          for (const event of page) {
            if (this.closed) return;
            await this.deliver(event);
          }
          this.scanned = page.length < PAGE_SIZE ? head : page[page.length - 1]!.globalPosition;
        }
        this.retryMs = FIRST_RETRY_MS;
      } catch (error) {
        if (error instanceof HandlerError) throw error.cause;
        // the store is away: try again later, from the checkpoint
        await this.sleep(this.retryMs);
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
        continue;
      }
      if (headAtStart !== undefined && this.scanned >= headAtStart) this.resolveCaughtUp();
      if (!this.closed && !this.woken) await this.sleep(this.pollIntervalMs);
    }
  }

  private async deliver(event: RecordedEvent): Promise<void> {
    try {
      await this.handler(event);
    } catch (error) {
      throw new HandlerError(error);
    }
    this.handled = event.globalPosition;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => this.wake(), ms);
      this.sleeper = { timer, done };
    });
  }

  /** A commit happened somewhere: look again now. */
  wake(): void {
    this.woken = true;
    const sleeper = this.sleeper;
    if (!sleeper) return;
    this.sleeper = undefined;
    clearTimeout(sleeper.timer);
    sleeper.done();
  }

  async close(): Promise<void> {
    if (this.closed) return this.loop;
    this.closed = true;
    this.stopListening();
    this.wake();
    this.onClose();
    this.resolveCaughtUp();
    await this.loop;
  }
}

/** Marks a failure of the handler (not of the store) on its way out of the read loop. */
class HandlerError extends Error {
  constructor(override readonly cause: unknown) {
    super('handler failed');
  }
}
