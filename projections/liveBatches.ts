import type { RecordedEvent } from '../core/eventStore/types.js';

const BATCH_SIZE = 1000;

/**
 * A subscription's events gathered into batches: a batch closes when it holds 1,000 events or when the
 * subscription pauses (the next macrotask), and is handed to `apply`. When `apply` answers `held` (the read
 * models are locked by another writer), its events are kept, in order, ahead of those arriving meanwhile,
 * until `resume()` hands them over again.
 */
export class LiveBatches {
  private pending: RecordedEvent[] = [];
  private scheduled = false;
  private held = false;
  private open = false;

  constructor(private readonly apply: (events: readonly RecordedEvent[]) => 'applied' | 'held') {}

  /** Starts taking events (after `close`, taken ones are dropped: the next start reads them again). */
  reopen(): void {
    this.pending = [];
    this.held = false;
    this.open = true;
  }

  close(): void {
    this.open = false;
  }

  take(event: RecordedEvent): void {
    if (!this.open) return;
    this.pending.push(event);
    if (this.held) return;
    if (this.pending.length >= BATCH_SIZE) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.open) this.flush();
      });
    }
  }

  /** Hands over what was held back. */
  resume(): void {
    this.held = false;
    this.flush();
  }

  /** Hands over every event taken so far (unless held). */
  flush(): void {
    const events = this.pending;
    if (events.length === 0 || this.held) return;
    this.pending = [];
    if (this.apply(events) === 'held') {
      this.pending = events.concat(this.pending);
      this.held = true;
    }
  }
}
