import { SchemaValidationError } from '../validation/schemaValidationError.js';

type Connection = Record<string, unknown> & { id: string };

/** The list query of Auth0's `GET /api/v2/connections`, as its Management API takes it. */
export interface ConnectionListQuery {
  strategies?: string[];
  name?: string;
  perPage: number;
  page: number;
  includeTotals: boolean;
  from?: string;
  take?: number;
  fields?: string[];
  includeFields: boolean;
}

const MAX_PAGE = 100;

/**
 * Reads the query (`strategy` may repeat; numbers and booleans arrive as text). Auth0's words for a bad one:
 * 400 "Query validation error: ..." (the caller renders it), naming each parameter.
 */
export function parseConnectionListQuery(query: Record<string, string | string[] | undefined>): ConnectionListQuery {
  const problems: string[] = [];
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) {
      problems.push(`${name} must be given once`);
      return undefined;
    }
    return value;
  };
  const integer = (name: string, min: number, max: number): number | undefined => {
    const text = one(name);
    if (text === undefined) return undefined;
    const value = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) problems.push(`${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const bool = (name: string): boolean | undefined => {
    const text = one(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') problems.push(`${name} must be true or false`);
    return text === 'true';
  };
  const strategy = query.strategy;
  const fields = one('fields');
  const parsed: ConnectionListQuery = {
    ...(strategy !== undefined && { strategies: Array.isArray(strategy) ? strategy : [strategy] }),
    ...(one('name') !== undefined && { name: one('name') }),
    perPage: integer('per_page', 1, MAX_PAGE) ?? 50,
    page: integer('page', 0, 100_000) ?? 0,
    includeTotals: bool('include_totals') ?? false,
    ...(one('from') !== undefined && { from: one('from') }),
    ...(query.take !== undefined && { take: integer('take', 1, MAX_PAGE) ?? 50 }),
    ...(fields !== undefined && {
      fields: fields
        .split(',')
        .map((field) => field.trim())
        .filter(Boolean),
    }),
    includeFields: bool('include_fields') ?? true,
  };
  if (problems.length > 0) throw new SchemaValidationError(problems);
  return parsed;
}

/**
 * One page in Auth0's shapes: checkpoint paging (`from`/`take`) answers `{ connections, next? }`, offset paging with
 * `include_totals` answers `{ connections, start, limit, total }`, and plain offset paging a bare array.
 * Connections are in id order; `from` is the id to start at, and `next` the id of the first connection left.
 */
export function connectionPage(all: readonly Connection[], query: ConnectionListQuery): unknown {
  const matching = all
    .filter((connection) => !query.strategies || query.strategies.includes(String(connection.strategy)))
    .filter((connection) => query.name === undefined || connection.name === query.name)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const shown = (connections: readonly Connection[]) => connections.map((connection) => project(connection, query));
  if (query.from !== undefined || query.take !== undefined) {
    const start = query.from === undefined ? 0 : matching.findIndex((connection) => connection.id >= query.from!);
    const rest = start === -1 ? [] : matching.slice(start);
    const take = query.take ?? 50;
    const next = rest[take]?.id;
    return { connections: shown(rest.slice(0, take)), ...(next !== undefined && { next }) };
  }
  const start = query.page * query.perPage;
  const page = shown(matching.slice(start, start + query.perPage));
  return query.includeTotals ? { connections: page, start, limit: query.perPage, total: matching.length } : page;
}

/** `fields` (comma-separated) keeps only those fields, or, with `include_fields=false`, drops them. */
function project(connection: Connection, { fields, includeFields }: ConnectionListQuery): Record<string, unknown> {
  if (!fields) return connection;
  const wanted = new Set(fields);
  return Object.fromEntries(Object.entries(connection).filter(([field]) => wanted.has(field) === includeFields));
}
