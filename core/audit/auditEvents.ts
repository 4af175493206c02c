import type { Database } from 'better-sqlite3';
import type { EventFilter, EventStore, RecordedEvent } from '../eventStore/types.js';
import { phonePositions } from '../../projections/phoneIndex.js';
import { parsePhoneNumber, phoneNumberHash } from '../users/phoneNumber.js';
import { matchesAudit, type AuditFilters } from './auditFilters.js';
import { toAuditRecord, type AuditRecord } from './redact.js';

const INDEX_PAGE = 500;

/**
 * The events an audit query selects, oldest first, as an async iterable: nothing is held in memory
 * beyond one page, so an export of millions of events streams. Type and time filters run in the store;
 * a phone number is resolved through the phone index read model (keyed hash -> positions).
 */
export async function* auditEvents(
  eventStore: EventStore,
  readModels: Database,
  filters: AuditFilters,
  phoneHash?: string,
): AsyncIterable<RecordedEvent> {
  const storeFilter: EventFilter = {
    ...(filters.types && { eventTypes: filters.types }),
    ...(filters.from && { recordedFrom: filters.from }),
    ...(filters.to && { recordedBefore: filters.to }),
  };
  const keep = (event: RecordedEvent) =>
    matchesAudit(event, filters) &&
    (!filters.types || filters.types.includes(event.type)) &&
    (!filters.from || event.recordedAt >= filters.from) &&
    (!filters.to || event.recordedAt < filters.to);

  if (phoneHash === undefined) {
    for await (const event of eventStore.readAll({ fromPosition: filters.cursor ?? 0, filter: storeFilter })) {
      if (keep(event)) yield event;
    }
    return;
  }
  let cursor = filters.cursor ?? 0;
  for (;;) {
    const positions = phonePositions(readModels, phoneHash, cursor, INDEX_PAGE);
    for (const position of positions) {
      // positions are exact: the first event after `position - 1` is the one at `position`
      for await (const event of eventStore.readAll({ fromPosition: position - 1, maxCount: 1 })) {
        if (event.globalPosition === position && keep(event)) yield event;
      }
    }
    if (positions.length < INDEX_PAGE) return;
    cursor = positions[positions.length - 1]!;
  }
}

/** `auditEvents` as an auditor sees them: secrets and hashes stripped (`toAuditRecord`). */
export async function* auditRecords(...args: Parameters<typeof auditEvents>): AsyncIterable<AuditRecord> {
  for await (const event of auditEvents(...args)) yield toAuditRecord(event);
}

/** The keyed hash a query's phone number is looked up by. Throws for a malformed number: call it before answering. */
export function auditPhoneHash(filters: AuditFilters, hmacKey: Buffer): string | undefined {
  return filters.phoneNumber === undefined ? undefined : phoneNumberHash(hmacKey, parsePhoneNumber(filters.phoneNumber).e164);
}
