import type { EventStore, RecordedEvent, Subscription } from '../core/eventStore/types.js';
import type { Logger } from '../core/logger.js';
import { applyBatch, bindProjections, type BoundProjection } from './applyBatch.js';
import type { Projection } from './projection.js';
import { replayInto } from './replay.js';
import { isLockBusy, type ReadModelStore } from './readModelStore.js';

const BATCH_SIZE = 1000;
/**
 * A replay batch blocks the event loop while it runs. Over 1M events here, batches of 2,000 held it
 * about 22 ms (p50) and at most 88 ms, at 77-80k events/s; 5,000 gave about 90k events/s but 53 ms and
 * up to 170 ms, too long for a server answering requests meanwhile.
 */
const REPLAY_BATCH_SIZE = 2000;
const RETRY_MS = 5000;
/**
 * How long a batch waits for the read-model write lock, which a `projections rebuild` in another process
 * holds for a whole batch (about half a second): the wait blocks the event loop, so the runner gives up
 * quickly and tries again a little later, and the server keeps answering meanwhile.
 */
const LOCK_WAIT_MS = 20;
const LOCKED_RETRY_MS = 100;

/**
 * Keeps the read models up to date: starts from the lowest stored checkpoint (so a restart catches up,
 * it never replays from the start), replays the backlog in large batches where the store allows it,
 * then subscribes to the event store, gathers events into batches and applies
 * each batch with the checkpoints in one transaction (`applyBatch`). A batch closes when it is full
 * or when the subscription pauses (the next macrotask). A failure is logged and retried from the
 * checkpoints; the server keeps serving commands meanwhile, only queries lag.
 */
export class ProjectionRunner {
  private readonly eventStore: EventStore;
  private readonly readModels: ReadModelStore;
  private readonly projections: readonly Projection[];
  private readonly logger: Logger;
  private bound: BoundProjection[] = [];
  private subscription: Subscription | undefined;
  private pending: RecordedEvent[] = [];
  private flushScheduled = false;
  private committed = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Counts starts, so a replay begun by an earlier start stops when a newer one (or `stop`) comes. */
  private runs = 0;
  /** Set while the read models are locked by another writer: events wait in `pending` for it. */
  private lockedTimer: NodeJS.Timeout | undefined;

  constructor({ eventStore, readModels, projections, logger }: { eventStore: EventStore; readModels: ReadModelStore; projections: readonly Projection[]; logger: Logger }) {
    this.eventStore = eventStore;
    this.readModels = readModels;
    this.projections = projections;
    this.logger = logger;
  }

  /** The position every read model has caught up to (their lowest checkpoint). */
  get position(): number {
    return this.committed;
  }

  start(): void {
    this.stopped = false;
    clearTimeout(this.lockedTimer);
    this.lockedTimer = undefined;
    const run = ++this.runs;
    try {
      this.bound = this.readModels.withLockWait(LOCK_WAIT_MS, () => bindProjections(this.readModels, this.projections));
      const from = Math.min(...this.projections.map((p) => this.readModels.checkpoint(p.name).position));
      this.pending = [];
      this.moveTo(from);
      if (this.eventStore.readReplayPage) void this.replayThenSubscribe(run, from);
      else this.subscribeFrom(from);
    } catch (error) {
      this.startAgain(error);
    }
  }

  /** After a failed start or replay: shortly when another writer held the lock, else as a failure. */
  private startAgain(error: unknown): void {
    if (!isLockBusy(error)) return this.fail(error);
    this.logger.debug('read models are locked by another writer (a rebuild?): starting again shortly');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), LOCKED_RETRY_MS).unref();
  }

  /**
   * On a store that reads synchronously, the backlog (everything after a fresh install's or a version
   * bump's checkpoint 0) is replayed first the way a rebuild does it, about twice as fast as the
   * subscription's event-at-a-time delivery; the subscription then takes over from where it ended.
   */
  private async replayThenSubscribe(run: number, from: number): Promise<void> {
    const current = () => run === this.runs && !this.stopped;
    try {
      let reset = false;
      const done = await replayInto(this.eventStore, this.readModels, this.bound, from, {
        batchSize: REPLAY_BATCH_SIZE,
        write: (transaction) => this.readModels.withLockWait(LOCK_WAIT_MS, transaction),
        keepGoing: () => current() && !reset,
        onBatch: (progress, behind) => {
          if (behind.length > 0) {
            reset = true;
            this.logger.info({ projections: behind }, 'projections were reset: catching them up from their checkpoint');
          } else this.moveTo(progress.position);
        },
      });
      if (!current()) return;
      if (reset) this.start();
      else this.subscribeFrom(done.position);
    } catch (error) {
      if (current()) this.startAgain(error);
    }
  }

  private subscribeFrom(from: number): void {
    this.subscription = this.eventStore.subscribe({ fromPosition: from, onError: (error) => this.fail(error) }, (event) => this.take(event));
  }

  /** Every read model has caught up to `position`: waiters for it are released. */
  private moveTo(position: number): void {
    this.committed = position;
    this.waiters = this.waiters.filter((waiter) => (waiter.position <= position ? (waiter.resolve(), false) : true));
  }

  /** Resolves once every event appended before the call is in the read models. */
  async catchUp(): Promise<void> {
    const target = await this.eventStore.lastPosition();
    if (this.committed >= target) return;
    await new Promise<void>((resolve) => this.waiters.push({ position: target, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.lockedTimer);
    this.lockedTimer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    if (this.pending.length > 0) this.flush();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private take(event: RecordedEvent): void {
    this.pending.push(event);
    if (this.lockedTimer) return; // flushed once the lock is free
    if (this.pending.length >= BATCH_SIZE) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.subscription || this.stopped) this.flush();
      });
    }
  }

  private flush(): void {
    const events = this.pending;
    if (events.length === 0 || this.lockedTimer) return;
    this.pending = [];
    try {
      const { behind } = this.readModels.withLockWait(LOCK_WAIT_MS, () => applyBatch(this.readModels, this.bound, events, this.committed));
      if (behind.length > 0) {
        this.logger.info({ projections: behind }, 'projections were reset: catching them up from their checkpoint');
        void this.restart();
        return;
      }
      this.moveTo(events[events.length - 1]!.globalPosition);
    } catch (error) {
      // after a stop the events are simply read again on the next start
      if (!isLockBusy(error) || this.stopped) return this.fail(error);
      this.pending = events.concat(this.pending);
      this.flushWhenUnlocked();
    }
  }

  private flushWhenUnlocked(): void {
    this.logger.debug({ pending: this.pending.length }, 'read models are locked by another writer (a rebuild?): applying shortly');
    this.lockedTimer = setTimeout(() => {
      this.lockedTimer = undefined;
      this.flush();
    }, LOCKED_RETRY_MS).unref();
  }

  private async restart(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.pending = [];
    await subscription?.close();
    if (!this.stopped) this.start();
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.logger.error({ err: error }, `projections stopped; retrying in ${RETRY_MS / 1000}s`);
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.close();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), RETRY_MS).unref();
  }
}
