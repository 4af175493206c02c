import type { FromSchema } from 'json-schema-to-ts';
import { compileQuerySchema } from '../validation/compileQuerySchema.js';

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

const page = (min: number, max: number) =>
  ({ type: 'integer', minimum: min, maximum: max, errorMessage: `must be an integer from ${min} to ${max}` }) as const;
const flag = { type: 'boolean', errorMessage: 'must be true or false' } as const;

/**
 * The list query of Auth0's `GET /api/v2/connections`: `strategy` may repeat, numbers and booleans arrive as text.
 * A bad one is Auth0's 400 `invalid_query_string`, "Query validation error: ...", naming each parameter
 * (`auth0ManagementErrorRenderer`). The route's OpenAPI description gives this schema.
 */
export const connectionListQuerySchema = {
  type: 'object',
  properties: {
    strategy: { type: 'array', items: { type: 'string' } },
    name: { type: 'string' },
    per_page: { ...page(1, 100), default: 50 },
    page: { ...page(0, 100_000), default: 0 },
    include_totals: { ...flag, default: false },
    from: { type: 'string', description: 'the id of the connection to start at (checkpoint paging)' },
    take: page(1, 100),
    fields: { type: 'string', description: 'comma-separated field names' },
    include_fields: { ...flag, default: true },
  },
} as const;

const parseQuery = compileQuerySchema<FromSchema<typeof connectionListQuerySchema> & { per_page: number; page: number }>(
  connectionListQuerySchema,
);

/** Reads the query in the names the paging below uses; a `QueryValidationError` names each bad parameter. */
export function parseConnectionListQuery(query: unknown): ConnectionListQuery {
  const { strategy, name, per_page, page, include_totals, from, take, fields, include_fields } = parseQuery(query);
  return {
    ...(strategy !== undefined && { strategies: strategy }),
    ...(name !== undefined && { name }),
    perPage: per_page,
    page,
    includeTotals: include_totals ?? false,
    ...(from !== undefined && { from }),
    ...(take !== undefined && { take }),
    ...(fields !== undefined && {
      fields: fields
        .split(',')
        .map((field) => field.trim())
        .filter(Boolean),
    }),
    includeFields: include_fields ?? true,
  };
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
