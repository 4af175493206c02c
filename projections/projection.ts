import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../core/eventStore/types.js';

/** Any event of the log, as its type and data. */
export interface DomainEvent {
  type: string;
  data: unknown;
}

/** An event of the union `E` as the log recorded it: `event.type` narrows `event.data`. */
export type ProjectedEvent<E extends DomainEvent> = E extends { type: infer Type extends string; data: infer Data }
  ? RecordedEvent<Type, Data>
  : never;

/**
 * A read model: a few SQLite tables kept up to date from the events it `canHandle`, typed by the union `E` of
 * those events (emmett's `Projection<E>`): the runner hands `apply` only events of the types `canHandle` names,
 * so a writer reads their data as their types say, without a cast.
 *
 * emmett's projections are `evolve(doc, event)` over documents; ours write SQL, because a rebuild
 * replays millions of events and a prepared upsert (or an in-memory tally flushed once per batch)
 * is what keeps that near the raw read rate. Where a decider already has `evolve`, the projection
 * folds with it (users, application policies) so the rules live in one place.
 *
 * Idempotence comes from the runner: every batch and the projection's checkpoint commit in one
 * transaction, and an event at or before the checkpoint is never applied again.
 */
export interface Projection<E extends DomainEvent = DomainEvent> {
  readonly name: string;
  /** Bump when the tables or the logic change: the runner then rebuilds the model from the start. */
  readonly version: number;
  readonly canHandle: readonly E['type'][];
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
  writer(db: Database): ProjectionWriter<E>;
}

export interface ProjectionWriter<E extends DomainEvent = DomainEvent> {
  apply(event: ProjectedEvent<E>): void;
  /** Called at the end of every batch, inside its transaction: write what `apply` kept in memory. */
  flush?(): void;
}
