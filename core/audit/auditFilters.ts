import { clientStreamId } from '../applications/applicationEvents.js';
import type { RecordedEvent } from '../eventStore/types.js';
import { userStreamId } from '../users/userEvents.js';

/** What an audit query asks for. The tenant always comes from the caller's credentials. */
export interface AuditFilters {
  tenantId: string;
  types?: string[];
  userId?: string;
  /** E.164; looked up by its keyed hash, never stored or logged as is. */
  phoneNumber?: string;
  clientId?: string;
  from?: Date;
  to?: Date;
  /** Global position: events strictly after it. */
  cursor?: number;
}

/** The filters as recorded in `AuditQueried`: the phone number only as "given". */
export function describeFilters(filters: AuditFilters): Record<string, unknown> {
  const { phoneNumber, from, to, ...rest } = filters;
  return {
    ...rest,
    ...(phoneNumber !== undefined && { phoneNumber: 'given' }),
    ...(from && { from: from.toISOString() }),
    ...(to && { to: to.toISOString() }),
  };
}

/** The checks the store cannot push down: tenant, user, application. */
export function matchesAudit(event: RecordedEvent, filters: AuditFilters): boolean {
  if (event.metadata.tenantId !== filters.tenantId) return false;
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (filters.userId !== undefined && event.streamName !== userStreamId(filters.tenantId, filters.userId) && data.userId !== filters.userId)
    return false;
  if (
    filters.clientId !== undefined &&
    data.clientId !== filters.clientId &&
    event.streamName !== clientStreamId(filters.clientId) &&
    event.metadata.actor !== filters.clientId
  )
    return false;
  return true;
}

/** Parses the shared query-string / CLI options. Throws a `TypeError` naming the bad one. */
export function parseAuditFilters(tenantId: string, query: Record<string, string | string[] | undefined>): AuditFilters {
  const one = (name: string) => {
    const value = query[name];
    return Array.isArray(value) ? value[value.length - 1] : value;
  };
  const date = (name: string) => {
    const value = one(name);
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw new TypeError(`${name} must be an ISO 8601 time`);
    return parsed;
  };
  const cursorText = one('cursor');
  const cursor = cursorText === undefined ? undefined : Number(cursorText);
  if (cursor !== undefined && (!Number.isSafeInteger(cursor) || cursor < 0))
    throw new TypeError('cursor must be a global position (a non-negative integer)');
  const typesValue = query.types ?? query.type;
  const types = (Array.isArray(typesValue) ? typesValue : typesValue === undefined ? [] : [typesValue])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  const filters: AuditFilters = { tenantId };
  if (types.length > 0) filters.types = types;
  for (const [name, key] of [
    ['user_id', 'userId'],
    ['phone_number', 'phoneNumber'],
    ['client_id', 'clientId'],
  ] as const) {
    const value = one(name);
    if (value !== undefined && value !== '') filters[key] = value;
  }
  const from = date('from');
  const to = date('to');
  if (from) filters.from = from;
  if (to) filters.to = to;
  if (cursor !== undefined) filters.cursor = cursor;
  return filters;
}
