import type { EventStore, RecordedEvent, Subscription } from '../core/eventStore/types.js';
import type { Logger } from '../core/logger.js';
import { applyBatch, bindProjections, type BoundProjection } from './applyBatch.js';
import type { Projection } from './projection.js';
import type { ReadModelStore } from './readModelStore.js';

const BATCH_SIZE = 1000;
const RETRY_MS = 5000;

/**
 * Keeps the read models up to date: subscribes to the event store from the lowest stored checkpoint
 * (so a restart catches up, it never replays from the start), gathers events into batches and applies
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
  private batchFrom = 0;
  private flushScheduled = false;
  private committed = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

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
    try {
      this.bound = bindProjections(this.readModels, this.projections);
      const from = Math.min(...this.projections.map((p) => this.readModels.checkpoint(p.name).position));
      this.pending = [];
      this.batchFrom = from;
      this.committed = from;
      this.subscription = this.eventStore.subscribe({ fromPosition: from, onError: (error) => this.fail(error) }, (event) => this.take(event));
    } catch (error) {
      this.fail(error);
    }
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
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    if (this.pending.length > 0) this.flush();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private take(event: RecordedEvent): void {
    this.pending.push(event);
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
    if (events.length === 0) return;
    this.pending = [];
    try {
      const { behind } = applyBatch(this.readModels, this.bound, events, this.batchFrom);
      this.batchFrom = events[events.length - 1]!.globalPosition;
      if (behind.length > 0) {
        this.logger.info({ projections: behind }, 'projections were reset: catching them up from their checkpoint');
        void this.restart();
        return;
      }
      this.committed = this.batchFrom;
      this.waiters = this.waiters.filter((waiter) => (waiter.position <= this.committed ? (waiter.resolve(), false) : true));
    } catch (error) {
      this.fail(error);
    }
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
