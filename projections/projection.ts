import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../core/eventStore/types.js';

/**
 * A read model: a few SQLite tables kept up to date from the events it `canHandle`.
 *
 * emmett's projections are `evolve(doc, event)` over documents; ours write SQL, because a rebuild
 * replays millions of events and a prepared upsert (or an in-memory tally flushed once per batch)
 * is what keeps that near the raw read rate. Where a decider already has `evolve`, the projection
 * folds with it (users, application policies) so the rules live in one place.
 *
 * Idempotence comes from the runner: every batch and the projection's checkpoint commit in one
 * transaction, and an event at or before the checkpoint is never applied again.
 */
export interface Projection {
  readonly name: string;
  /** Bump when the tables or the logic change: the runner then rebuilds the model from the start. */
  readonly version: number;
  readonly canHandle: readonly string[];
  /**
   * Event types at which the model deletes personal data (an erasure). After a batch with one, the
   * read-model file's WAL is checkpointed, so with `secure_delete` no old page keeps what was deleted.
   */
  readonly forgetsOn?: readonly string[];
  /** Every table the model owns, dropped by a rebuild. */
  readonly tables: readonly string[];
  /** `CREATE TABLE IF NOT EXISTS ...` for its tables. */
  setup(db: Database): void;
  /** Prepares its statements on `db` once; the writer is then used batch after batch. */
  writer(db: Database): ProjectionWriter;
}

export interface ProjectionWriter {
  apply(event: RecordedEvent): void;
  /** Called at the end of every batch, inside its transaction: write what `apply` kept in memory. */
  flush?(): void;
}
