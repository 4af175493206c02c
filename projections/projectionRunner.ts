import type { EventStore, RecordedEvent, Subscription } from '../core/eventStore/types.js';
import type { Logger } from '../core/logger.js';
import { applyBatch, bindProjections, type BoundProjection } from './applyBatch.js';
import { LiveBatches } from './liveBatches.js';
import { LockBackoff } from './lockBackoff.js';
import type { Projection } from './projection.js';
import { replayInto } from './replay.js';
import type { ReadModelStore } from './readModelStore.js';

/**
 * A replay batch blocks the event loop while it runs. Over 1M events here, batches of 2,000 held it
 * about 22 ms (p50) and at most 88 ms, at 77-80k events/s; 5,000 gave about 90k events/s but 53 ms and
 * up to 170 ms, too long for a server answering requests meanwhile.
 */
const REPLAY_BATCH_SIZE = 2000;
const RETRY_MS = 5000;

/**
 * Keeps the read models up to date: starts from the lowest stored checkpoint (so a restart catches up,
 * it never replays from the start), replays the backlog in large batches where the store allows it,
 * then subscribes to the event store and applies its events in batches (`LiveBatches`), each with the
 * checkpoints in one transaction (`applyBatch`). Writes back off while a rebuild holds the read models
 * (`LockBackoff`). A failure is logged and retried from the checkpoints; the server keeps serving commands
 * meanwhile, only queries lag.
 */
export class ProjectionRunner {
  private readonly eventStore: EventStore;
  private readonly readModels: ReadModelStore;
  private readonly projections: readonly Projection[];
  private readonly logger: Logger;
  private readonly lock: LockBackoff;
  private readonly batches = new LiveBatches((events) => this.applyLive(events));
  private bound: BoundProjection[] = [];
  private subscription: Subscription | undefined;
  private committed = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Counts starts, so a replay begun by an earlier start stops when a newer one (or `stop`) comes. */
  private runs = 0;

  constructor({
    eventStore,
    readModels,
    projections,
    logger,
  }: {
    eventStore: EventStore;
    readModels: ReadModelStore;
    projections: readonly Projection[];
    logger: Logger;
  }) {
    this.eventStore = eventStore;
    this.readModels = readModels;
    this.projections = projections;
    this.logger = logger;
    this.lock = new LockBackoff(readModels, logger);
  }

  /** The position every read model has caught up to (their lowest checkpoint). */
  get position(): number {
    return this.committed;
  }

  start(): void {
    this.stopped = false;
    this.lock.cancel();
    const run = ++this.runs;
    try {
      this.bound = this.lock.write(() => bindProjections(this.readModels, this.projections));
      const from = Math.min(...this.projections.map((p) => this.readModels.checkpoint(p.name).position));
      this.batches.reopen();
      this.moveTo(from);
      if (this.eventStore.readReplayPage) void this.replayThenSubscribe(run, from);
      else this.subscribeFrom(from);
    } catch (error) {
      this.startAgain(error);
    }
  }

  /** After a failed start or replay: shortly when another writer held the lock, else as a failure. */
  private startAgain(error: unknown): void {
    if (!this.lock.retryIfBusy(error, () => this.start(), 'starting again')) this.fail(error);
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
        write: (transaction) => this.lock.write(transaction),
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
    this.subscription = this.eventStore.subscribe({ fromPosition: from, onError: (error) => this.fail(error) }, (event) =>
      this.batches.take(event),
    );
  }

  /** One live batch into the read models: `held` when another writer holds them (it is handed over again later). */
  private applyLive(events: readonly RecordedEvent[]): 'applied' | 'held' {
    try {
      const { behind } = this.lock.write(() => applyBatch(this.readModels, this.bound, events, this.committed));
      if (behind.length > 0) {
        this.logger.info({ projections: behind }, 'projections were reset: catching them up from their checkpoint');
        void this.restart();
      } else this.moveTo(events[events.length - 1]!.globalPosition);
    } catch (error) {
      // after a stop the events are simply read again on the next start
      if (!this.stopped && this.lock.retryIfBusy(error, () => this.batches.resume(), 'applying')) return 'held';
      this.fail(error);
    }
    return 'applied';
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
    this.lock.cancel();
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    this.batches.resume();
    this.batches.close();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private async restart(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.batches.close();
    await subscription?.close();
    if (!this.stopped) this.start();
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.logger.error({ err: error }, `projections stopped; retrying in ${RETRY_MS / 1000}s`);
    const subscription = this.subscription;
    this.subscription = undefined;
    this.batches.close();
    this.lock.cancel();
    void subscription?.close();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), RETRY_MS).unref();
  }
}
