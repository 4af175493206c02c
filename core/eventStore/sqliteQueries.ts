import type { EventFilter, EventMetadata, RecordedEvent } from './types.js';

export interface EventRow {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: number;
}

export const eventColumns = 'position, id, stream, revision, type, data, metadata, recorded_at';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    streamName: row.stream,
    revision: row.revision,
    globalPosition: row.position,
    recordedAt: new Date(row.recorded_at),
  };
}

/** A `WHERE` fragment and its parameters for `readAll` and subscriptions (the filter runs in SQLite). */
export function filterSql(filter: EventFilter | undefined): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter?.streamPrefixes) {
    if (filter.streamPrefixes.length === 0) clauses.push('0');
    else {
      clauses.push(`(${filter.streamPrefixes.map(() => 'substr(stream, 1, ?) = ?').join(' OR ')})`);
      for (const prefix of filter.streamPrefixes) params.push(prefix.length, prefix);
    }
  }
  if (filter?.eventTypes) {
    clauses.push(`type IN (${filter.eventTypes.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...filter.eventTypes);
  }
  if (filter?.recordedFrom) {
    clauses.push('recorded_at >= ?');
    params.push(filter.recordedFrom.getTime());
  }
  if (filter?.recordedBefore) {
    clauses.push('recorded_at < ?');
    params.push(filter.recordedBefore.getTime());
  }
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params };
}

/** The columns of a replay page, read as arrays (`raw` mode): no object per row. */
export const replayColumns = 'position, stream, revision, type, data, recorded_at';
export type ReplayRow = [position: number, stream: string, revision: number, type: string, data: string, recordedAt: number];

/** The columns a replayed event reads on first use, by position. */
export type ReplayDetails = (position: number) => { id: string; metadata: string };

/**
 * A recorded event for replays: `data` parsed at once; `id` and `metadata` (the largest column: hash
 * chain, correlation id), which projections seldom read, are fetched and parsed on first use, and
 * `recordedAt` made then. Not for serialising: those are prototype getters.
 */
export class ReplayedEvent implements RecordedEvent {
  readonly globalPosition: number;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  private readonly recordedMs: number;
  private details: { id: string; metadata: EventMetadata } | undefined;

  constructor(
    row: ReplayRow,
    private readonly readDetails: ReplayDetails,
  ) {
    this.globalPosition = row[0];
    this.streamName = row[1];
    this.revision = row[2];
    this.type = row[3];
    this.data = JSON.parse(row[4]) as unknown;
    this.recordedMs = row[5];
  }

  get id(): string {
    return this.loadDetails().id;
  }

  get metadata(): EventMetadata {
    return this.loadDetails().metadata;
  }

  get recordedAt(): Date {
    return new Date(this.recordedMs);
  }

  private loadDetails(): { id: string; metadata: EventMetadata } {
    if (!this.details) {
      const row = this.readDetails(this.globalPosition);
      this.details = { id: row.id, metadata: JSON.parse(row.metadata) as EventMetadata };
    }
    return this.details;
  }
}
