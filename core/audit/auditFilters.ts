import type { FromSchema } from 'json-schema-to-ts';
import { clientStreamId } from '../applications/applicationEvents.js';
import type { RecordedEvent } from '../eventStore/types.js';
import { userStreamId } from '../users/userEvents.js';
import { compileQuerySchema } from '../validation/compileQuerySchema.js';

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

/** A time: an ISO 8601 date-time, or a day (its midnight, UTC). */
const time = {
  type: 'string',
  anyOf: [{ format: 'date-time' }, { format: 'date' }],
  errorMessage: 'must be an ISO 8601 time',
} as const;

/**
 * The audit query, as the API takes it in its query string (`GET /admin/v1/audit/events`, where it is also the
 * OpenAPI description) and the CLI as options (`audit query`): one schema validates both.
 */
export const auditQuerySchema = {
  type: 'object',
  properties: {
    types: { type: 'array', items: { type: 'string', maxLength: 2000 }, description: 'event types, comma-separated or repeated' },
    type: { type: 'array', items: { type: 'string', maxLength: 2000 }, description: 'the same as `types`' },
    user_id: { type: 'string', maxLength: 200 },
    phone_number: { type: 'string', maxLength: 32, description: 'E.164; found by its keyed hash' },
    client_id: { type: 'string', maxLength: 200 },
    from: time,
    to: time,
    cursor: {
      type: 'integer',
      minimum: 0,
      description: 'the next_cursor of the page before',
      errorMessage: 'must be a global position (a non-negative integer)',
    },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, errorMessage: 'must be a whole number from 1 to 1000' },
  },
} as const;

export type AuditQuery = FromSchema<typeof auditQuerySchema> & { limit: number };

/** Validates an audit query (a query string, or the CLI's options); a `QueryValidationError` names each bad parameter. */
export const parseAuditQuery = compileQuerySchema<AuditQuery>(auditQuerySchema);

/** The filters a validated query asks for, in the caller's tenant. */
export function auditFilters(tenantId: string, query: AuditQuery): AuditFilters {
  const types = [...(query.types ?? []), ...(query.type ?? [])]
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  const filters: AuditFilters = { tenantId };
  if (types.length > 0) filters.types = types;
  if (query.user_id) filters.userId = query.user_id;
  if (query.phone_number) filters.phoneNumber = query.phone_number;
  if (query.client_id) filters.clientId = query.client_id;
  if (query.from !== undefined) filters.from = new Date(query.from);
  if (query.to !== undefined) filters.to = new Date(query.to);
  if (query.cursor !== undefined) filters.cursor = query.cursor;
  return filters;
}
