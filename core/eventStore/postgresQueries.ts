import type { EventFilter } from './types.js';

/**
 * A `WHERE` fragment and its parameters for `readAll` and subscriptions (the filter runs in
 * PostgreSQL), numbered from `$first`. `starts_with` compares code points, as `startsWith` does in
 * JavaScript for the names we use, with no `LIKE` wildcards to escape.
 */
export function postgresFilter(filter: EventFilter | undefined, first: number): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown) => `$${first + params.push(value) - 1}`;
  if (filter?.streamPrefixes) {
    clauses.push(
      filter.streamPrefixes.length === 0
        ? 'false'
        : `EXISTS (SELECT 1 FROM unnest(${next([...filter.streamPrefixes])}::text[]) p WHERE starts_with(stream, p))`,
    );
  }
  if (filter?.eventTypes) clauses.push(`type = ANY(${next([...filter.eventTypes])}::text[])`);
  if (filter?.recordedFrom) clauses.push(`recorded_at >= ${next(filter.recordedFrom)}`);
  if (filter?.recordedBefore) clauses.push(`recorded_at < ${next(filter.recordedBefore)}`);
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params };
}
