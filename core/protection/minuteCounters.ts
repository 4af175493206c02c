import { BoundedCache } from '../support/boundedCache.js';

const MINUTE = 60_000;

/**
 * Counts per key and minute, in this process's memory: a sliding window of whole minutes (the current one and
 * the `windowMinutes - 1` before it). Keys beyond `capacity` are forgotten oldest first.
 */
export class MinuteCounters {
  private readonly counts: BoundedCache<string, Map<number, number>>;

  constructor(capacity = 100_000) {
    this.counts = new BoundedCache(capacity);
  }

  /** How many in the window ending at `now`, and when the oldest of them leaves it (epoch ms). */
  count(key: string, now: number, windowMinutes: number): { total: number; frees: number } {
    const buckets = this.counts.get(key);
    const first = Math.floor(now / MINUTE) - windowMinutes + 1;
    let total = 0;
    let oldest = Infinity;
    for (const [minute, count] of buckets ?? []) {
      if (minute < first) buckets!.delete(minute);
      else if (count > 0) {
        total += count;
        oldest = Math.min(oldest, minute);
      }
    }
    return { total, frees: Number.isFinite(oldest) ? (oldest + windowMinutes) * MINUTE : now };
  }

  add(key: string, now: number, delta: number): void {
    const buckets = this.counts.getOrCompute(key, () => new Map());
    const minute = Math.floor(now / MINUTE);
    buckets.set(minute, (buckets.get(minute) ?? 0) + delta);
  }
}
