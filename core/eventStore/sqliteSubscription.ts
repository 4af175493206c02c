import type { EventHandler, EventFilter, Subscription, SubscribeOptions, RecordedEvent } from './types.js';

/** What a subscription needs from the SQLite store. */
interface PageSource {
  readPage(position: number, filter: EventFilter | undefined, limit: number, upTo?: number): RecordedEvent[];
  headPosition(): number;
}

const PAGE_SIZE = 256;

/**
 * Catch-up, then live: reads pages after its checkpoint until it reaches the head, then sleeps until
 * this process appends (`wake`) or the poll interval passes (appends by other processes sharing the file).
 * Each scan is bounded by the head read before it, so filtered-out events are scanned only once.
 */
export class SqliteSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private resolveCaughtUp!: () => void;
  private handled: number;
  private scanned: number;
  private closed = false;
  private loop: Promise<void> = Promise.resolve();
  private sleeper: { timer: NodeJS.Timeout; done: () => void } | undefined;
  /** A commit woke the subscription while it was busy handling: the next sleep returns at once. */
  private wokenWhileBusy = false;

  constructor(
    private readonly source: PageSource,
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
    const headAtStart = this.source.headPosition();
    this.loop = this.run(headAtStart).catch((error: unknown) => {
      this.closed = true;
      this.onClose();
      this.resolveCaughtUp();
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private async run(headAtStart: number): Promise<void> {
    while (!this.closed) {
      const head = this.source.headPosition();
      while (!this.closed && this.scanned < head) {
        const page = this.source.readPage(this.scanned, this.options.filter, PAGE_SIZE, head);
        for (const event of page) {
          if (this.closed) return;
          await this.handler(event);
          this.handled = event.globalPosition;
        }
        this.scanned = page.length < PAGE_SIZE ? head : page[page.length - 1]!.globalPosition;
      }
      if (this.scanned >= headAtStart) this.resolveCaughtUp();
      if (!this.closed) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.wokenWhileBusy) {
      this.wokenWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((done) => {
      const timer = setTimeout(() => this.wake(), this.pollIntervalMs);
      this.sleeper = { timer, done };
    });
  }

  /**
   * Called by the store after a commit in this process. A subscription busy in its handler (awaiting I/O) when
   * the commit lands looks again as soon as it is done, instead of sleeping through it until the next poll.
   */
  wake(): void {
    const sleeper = this.sleeper;
    if (!sleeper) {
      this.wokenWhileBusy = true;
      return;
    }
    this.sleeper = undefined;
    clearTimeout(sleeper.timer);
    sleeper.done();
  }

  async close(): Promise<void> {
    if (this.closed) return this.loop;
    this.closed = true;
    this.wake();
    this.onClose();
    this.resolveCaughtUp();
    await this.loop;
  }
}
