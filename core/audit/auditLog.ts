import type { Clock } from '../clock.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';

export const auditStreamId = (tenantId: string) => `audit-${tenantId}`;

export type AuditQueriedEvent = {
  type: 'AuditQueried';
  data: { actor: string; query: 'events' | 'verify' | 'state'; filters: Record<string, unknown>; at: string };
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
  const event: AuditQueriedEvent = { type: 'AuditQueried', data: { actor, query, filters, at: clock.now().toISOString() } };
  await eventStore.appendToStream(auditStreamId(tenantId), [{ ...event, metadata: { tenantId, actor, ...metadata } }]);
}
