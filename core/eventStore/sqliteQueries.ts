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
