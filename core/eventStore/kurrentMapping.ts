/**
 * Pure translations between the otpledger event store port and the KurrentDB client's types.
 * Kept apart from the adapter so they can be unit-tested without a server.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamRecordedEvent,
  type AppendStreamState,
  type CurrentStreamState,
  type EventData,
  type Filter,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import { StoreUnavailableError } from './storeUnavailable.js';
import type { EventFilter, EventMetadata, ExpectedRevision, NewEvent, RecordedEvent } from './types.js';

/**
 * The client's parser takes `kurrentdb`, `kurrent`, `kdb` and `esdb` (each also `+discover`) in lower
 * case only, and prints a deprecation warning for `esdb` on every connect. We accept any case and
 * surrounding whitespace, and hand it `kurrentdb://` or `kurrentdb+discover://`; the rest of the string
 * is the same syntax for all of them.
 */
export function normalizeConnectionString(connectionString: string): string {
  const trimmed = connectionString.trim();
  const match = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//i.exec(trimmed);
  if (!match) return trimmed;
  return `kurrentdb${match[2] ? '+discover' : ''}://${trimmed.slice(match[0].length)}`;
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new TypeError(`expectedRevision must be a non-negative integer, got ${String(expected)}`);
      }
      return BigInt(expected);
  }
}

/** The stream's actual revision as `ConcurrencyError` reports it: -1 when the stream does not exist. */
export function toActualRevision(actual: CurrentStreamState): number {
  return actual === NO_STREAM ? -1 : Number(actual);
}

/*
 * Global positions. KurrentDB positions are `{ commit, prepare }` pairs of byte offsets in the
 * transaction log; otpledger's is one number. We use the PREPARE position:
 *  - it is the log position of the event's own record, so it is unique per event and grows in $all
 *    order, including inside one multi-event append (each event of a gRPC append is its own
 *    prepare record);
 *  - the commit position is only guaranteed unique per *commit*: for events written in a legacy
 *    (TCP-era) explicit transaction every event shares the commit record's position, which would
 *    break "strictly increasing". For everything written through gRPC the server reports
 *    commit == prepare for each event, so the choice loses nothing.
 * To turn a number back into a client position we therefore use `{ commit: n, prepare: n }`, which
 * addresses exactly that event's record. (Events inside a legacy explicit transaction cannot be
 * addressed this way; otpledger never writes those and gRPC cannot create them.)
 */
export function toGlobalPosition(position: Position): number {
  return Number(position.prepare);
}

/** 0 means "before everything". Reads from $all include the event at the position; callers skip it. */
export function toReadPosition(globalPosition: number): ReadPosition {
  if (globalPosition <= 0) return START;
  const at = BigInt(globalPosition);
  return { commit: at, prepare: at };
}

/** Events the server writes for itself (`$`-prefixed streams and types: stats, settings, links). */
export function isSystemEvent(streamName: string, type: string): boolean {
  return streamName.startsWith('$') || type.startsWith('$');
}

/**
 * The server can filter $all on stream names OR on event types, by prefix or regex, not both.
 * Stream prefixes win (usually the more selective); the exact match, the other dimension and the time
 * range are always re-checked client-side with `matchesFilter`. With nothing to push down we still ask
 * the server to leave out system events. An empty list matches nothing: the server is asked for no
 * stream at all (still sending its checkpoints), rather than for the whole of $all to drop here.
 */
export function toServerFilter(filter: EventFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length === 0 || filter?.eventTypes?.length === 0) return streamNameFilter({ regex: MATCHES_NO_STREAM });
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  }
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  }
  return excludeSystemEvents();
}

/** No stream has an empty name. */
const MATCHES_NO_STREAM = '^$';

/** Whether a filter can match no event at all (an empty list of prefixes or types). */
export function matchesNothing(filter: EventFilter | undefined): boolean {
  return filter?.streamPrefixes?.length === 0 || filter?.eventTypes?.length === 0;
}

/** The filter `lastPosition` reads with: no `$` streams on the server (types are checked client-side). */
export const userStreamsFilter = (): Filter => streamNameFilter({ regex: '^[^$]' });

/** A failure after which an append may or may not have been written (the answer never came). */
export function isUnknownOutcome(error: unknown): boolean {
  return (
    error instanceof DeadlineExceededError ||
    error instanceof UnavailableError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError
  );
}

/** A client error as the store reports it: an unreachable cluster as `StoreUnavailableError`, anything else unchanged. */
export function kurrentError(error: unknown, doing: string): Error {
  if (error instanceof StoreUnavailableError) return error;
  if (isUnknownOutcome(error) || error instanceof NotLeaderError) {
    return new StoreUnavailableError(`KurrentDB is unavailable (${doing}): ${(error as Error).message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** `metadata` replaces the event's own when given: the adapter passes the chained metadata (`hashChain.ts`). */
export function toEventData(event: NewEvent, chained?: EventMetadata): EventData {
  const metadata: EventMetadata = chained ?? { ...event.metadata, schemaVersion: event.metadata?.schemaVersion ?? 1 };
  return {
    id: event.id ?? randomUUID(),
    contentType: 'application/json',
    type: event.type,
    // The client JSON-encodes data; `undefined` has no JSON form, so it is stored as null.
    data: (event.data === undefined ? null : event.data) as JSONType,
    metadata: metadata as JSONType,
  };
}

function toMetadata(raw: unknown): EventMetadata {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    return { schemaVersion: 1 };
  }
  const metadata = raw as Partial<EventMetadata>;
  return { ...metadata, schemaVersion: typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1 };
}

export function toRecordedEvent(event: KurrentRecordedEvent | AllStreamRecordedEvent): RecordedEvent {
  // the client types it optional on stream reads; every server otpledger supports (23.10+) sends it
  if (!event.position) throw new Error(`KurrentDB did not report a position for event ${event.id}`);
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: toMetadata(event.metadata),
    streamName: event.streamId,
    revision: Number(event.revision),
    globalPosition: toGlobalPosition(event.position),
    recordedAt: event.created,
  };
}
