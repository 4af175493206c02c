// The rows of bench:store's raw baselines: the events the store writes, ids and chained metadata
// included (`appendChain.ts`), made before the clock starts, so "raw" inserts the same bytes the store
// does and the ratio measures what the store adds (expected revisions, the chain, group commit).
import { randomUUID } from 'node:crypto';
import { chainAppend, NO_STREAM_HEAD, type StreamHead } from '../core/eventStore/appendChain.js';
import type { EventRow } from '../core/eventStore/sqliteQueries.js';

export const BENCH_STREAMS = 100;

/** An event row as both SQL stores insert it, before the store gives it a position and a time. */
export type BenchRow = Omit<EventRow, 'position' | 'recorded_at'>;

/**
 * `total` events over 100 streams (`otp-bench-<n>`, as the store runs write them), in insert order.
 * `chained: false` gives the rows as the first version of this bench wrote them: the metadata without
 * its chain (about 150 bytes less per row), kept to compare with earlier figures.
 */
export function benchRows(total: number, payload: unknown, metadata: Record<string, unknown>, chained = true): BenchRow[] {
  const heads: StreamHead[] = Array.from({ length: BENCH_STREAMS }, () => NO_STREAM_HEAD);
  const plainData = JSON.stringify(payload);
  const plainMetadata = JSON.stringify(metadata);
  const rows: BenchRow[] = [];
  for (let i = 0; i < total; i++) {
    const stream = i % BENCH_STREAMS;
    const {
      rows: [row],
      head,
    } = chainAppend(heads[stream]!, [{ type: 'OtpIssued', data: payload, metadata }], [randomUUID()]);
    heads[stream] = head;
    rows.push({
      id: row!.id,
      stream: `otp-bench-${stream}`,
      revision: row!.revision,
      type: row!.type,
      data: chained ? row!.dataJson : plainData,
      metadata: chained ? row!.metadataJson : plainMetadata,
    });
  }
  return rows;
}
