import { DomainError } from '../decider/decider.js';
import { isSmsProviderError } from '@otpledger/plugin-kit';
import { BoundedCache } from '../support/boundedCache.js';
import { SampleRing } from '../support/sampleRing.js';
import { waitUntil } from '../support/waitUntil.js';

/** Recent durations remembered per operation and outcome. */
const SAMPLES = 128;

/** How an operation ended, as a timing class: `ok`, a domain reason (`locked_out`), or `sms:<kit code>`. */
export function outcomeOf(error: unknown): string {
  if (error === undefined) return 'ok';
  if (isSmsProviderError(error)) return `sms:${error.code}`;
  if (error instanceof DomainError) return error.reason;
  return 'error';
}

/**
 * Known and unknown identifiers must not be told apart by how long the answer takes. A known identifier's
 * send waits for its provider; an unknown one's has nothing to wait for. So every real operation records how
 * long it took (from the request's arrival, per tenant, endpoint and outcome), and the unknown path answers no
 * earlier than a duration drawn from those: the two distributions are then the same, whatever the provider.
 */
export class AnswerTiming {
  private readonly pools = new BoundedCache<string, SampleRing<number>>(10_000);

  record(key: string, outcome: string, startedAt: number): void {
    const pool = `${key}\0${outcome}`;
    this.pools.getOrCompute(pool, () => new SampleRing(SAMPLES)).add(performance.now() - startedAt);
  }

  /** Waits until `startedAt` plus a duration drawn from the real ones with this outcome (at once when there are none). */
  async pad(key: string, outcome: string, startedAt: number): Promise<void> {
    const drawn = this.pools.get(`${key}\0${outcome}`)?.draw();
    if (drawn !== undefined) await waitUntil(startedAt + drawn);
  }
}
