import type { Clock } from '../clock.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';

/**
 * `audit-<tenantId>-<YYYY-MM-DD>-<actor>`: the audit reads of one client (or CLI user) on one UTC day.
 * Not one stream per tenant: a stream is a consistency boundary, and one that every audit read of a
 * tenant appends to would make them all contend for its head. Day first, so a prefix selects a day.
 */
const auditStreamId = (tenantId: string, actor: string, at: Date) => `audit-${tenantId}-${at.toISOString().slice(0, 10)}-${actor}`;

export type AuditQueriedEvent = {
  type: 'AuditQueried';
  data: { actor: string; query: 'events' | 'verify' | 'state' | 'export'; filters: Record<string, unknown>; at: string };
};

/** Every look at the audit data is itself recorded, before any of it is returned. */
export async function recordAuditQuery(
  eventStore: EventStore,
  clock: Clock,
  tenantId: string,
  actor: string,
  query: AuditQueriedEvent['data']['query'],
  filters: Record<string, unknown>,
  metadata: Partial<EventMetadata> = {},
): Promise<void> {
  const now = clock.now();
  const event: AuditQueriedEvent = { type: 'AuditQueried', data: { actor, query, filters, at: now.toISOString() } };
  await eventStore.appendToStream(auditStreamId(tenantId, actor, now), [{ ...event, metadata: { tenantId, actor, ...metadata } }]);
}
