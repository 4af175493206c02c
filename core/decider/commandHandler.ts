import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../eventStore/concurrencyError.js';
import { commandEventId } from '../eventStore/eventIds.js';
import { StoreUnavailableError } from '../eventStore/storeUnavailable.js';
import type { AppendResult, EventMetadata, EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '../eventStore/types.js';
import type { Decider } from './decider.js';
import { stateCache } from './stateCache.js';

export interface HandleResult<State, Event> {
  /** The events this command appended (empty when the decider decided nothing). */
  events: Event[];
  /** The state after those events. */
  state: State;
  /** The stream's revision after the command, -1 when the stream still does not exist. */
  revision: number;
  /** The global position of the last event appended; 0 when nothing was. */
  position: number;
}

/** Retries after a version conflict; a conflict means someone else moved the stream first. */
const MAX_ATTEMPTS = 100;

/**
 * The one command handler: read the stream, fold `evolve`, `decide`, append with the revision that
 * was read. If another writer appended in between, the store refuses (`ConcurrencyError`) and the
 * command is decided again on the new state. This is where single-use codes, attempt counters and
 * lockouts get their correctness under concurrency: no locks, no in-memory maps.
 */
export async function handleCommand<State, Command, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  metadata: Partial<EventMetadata> = {},
): Promise<HandleResult<State, Event>> {
  const commandId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadCurrent(store, stream, decider);
    const events = decider.decide(command, state);
    if (events.length === 0) return { events, state, revision, position: 0 };
    const expectedRevision: ExpectedRevision = revision === -1 ? 'no_stream' : revision;
    try {
      const append = events.map((event, index) => ({
        id: commandEventId(commandId, stream, expectedRevision, index),
        type: event.type,
        data: event.data,
        metadata,
      }));
      const result = await appendOnceMore(store, stream, append, expectedRevision);
      const next = events.reduce(decider.evolve, state);
      if (store.streamRevision) stateCache.set(store, stream, decider, result.nextExpectedRevision, append[append.length - 1]!.id, next);
      return { events, state: next, revision: result.nextExpectedRevision, position: result.position };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** How long a command waits before sending an append again whose outcome the store could not tell. */
const UNKNOWN_OUTCOME_RETRY_MS = 200;

/**
 * Appends; when the store could not say whether the append was written (it became unavailable on the
 * way), sends the very same append (same ids, same expected revision) once more a moment later: the
 * store answers it as the first write if that landed, and writes it if not. Never twice.
 */
async function appendOnceMore(
  store: EventStore,
  stream: string,
  events: NewEvent[],
  expectedRevision: ExpectedRevision,
): Promise<AppendResult> {
  try {
    return await store.appendToStream(stream, events, { expectedRevision });
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    await new Promise((resolve) => setTimeout(resolve, UNKNOWN_OUTCOME_RETRY_MS));
    return store.appendToStream(stream, events, { expectedRevision });
  }
}

/** Folds recorded events into a decider's state. */
export function foldEvents<State, Event extends { type: string; data: unknown }>(
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
  recorded: readonly RecordedEvent[],
): State {
  let state = decider.initialState();
  for (const event of recorded) state = decider.evolve(state, { type: event.type, data: event.data } as Event);
  return state;
}

/** Reads a stream and folds it, for rules that only need to look. */
export async function loadState<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve' | 'isSnapshot'>,
): Promise<State> {
  return (await loadCurrent(store, stream, decider)).state;
}

/** A remembered state this many events behind the stream's head or fewer is brought up to date, not re-read. */
const CATCH_UP_MAX = 16;

/**
 * The stream's current state and revision: from the state cache when the stream has not moved since
 * it was folded (checked against the store); when it moved a few events on (an `SmsSent` appended after
 * the code was issued), the remembered state with only the newer events folded on; otherwise read and
 * folded. Either way remembered.
 */
async function loadCurrent<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve' | 'isSnapshot'>,
): Promise<{ state: State; revision: number }> {
  if (store.streamRevision) {
    const head = await store.streamRevision(stream);
    // no stream yet (a new session, an unknown identifier): nothing to read or to remember
    if (head === -1) return { state: decider.initialState(), revision: -1 };
    const cached = stateCache.latest<State>(store, stream, decider);
    if (cached?.revision === head) return cached;
    if (cached?.lastEventId && cached.revision < head && head - cached.revision <= CATCH_UP_MAX) {
      // from the remembered event itself: folding on is exact only while it is still there (a store restored
      // from a backup or failed over to a lagging replica may have lost it and grown again: then read it all)
      const [remembered, ...newer] = await store.readStream(stream, { fromRevision: cached.revision });
      if (remembered?.id === cached.lastEventId && remembered.revision === cached.revision && newer.length > 0) {
        const state = newer.reduce<State>(
          (folded, event) => decider.evolve(folded, { type: event.type, data: event.data } as Event),
          cached.state,
        );
        const last = newer[newer.length - 1]!;
        stateCache.set(store, stream, decider, last.revision, last.id, state);
        return { state, revision: last.revision };
      }
    }
  }
  const recorded = await readFoldable(store, stream, decider);
  const state = foldEvents(decider, recorded);
  const last = recorded[recorded.length - 1];
  const revision = last ? last.revision : -1;
  if (store.streamRevision) stateCache.set(store, stream, decider, revision, last?.id, state);
  return { state, revision };
}

/** Backward pages grow from this size: the snapshot is usually among the last few events. */
const FIRST_SNAPSHOT_PAGE = 4;

/**
 * The events a decider must fold, oldest first: the whole stream, or, when the decider knows
 * snapshot events, the stream from the newest one on (read backwards page by page until found).
 */
export async function readFoldable<Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  decider: { isSnapshot?(event: Event): boolean },
): Promise<RecordedEvent[]> {
  const isSnapshot = decider.isSnapshot;
  if (!isSnapshot) return store.readStream(stream);
  const newestFirst: RecordedEvent[] = [];
  let fromRevision: number | undefined;
  for (let pageSize = FIRST_SNAPSHOT_PAGE; ; pageSize *= 4) {
    const page = await store.readStream(stream, {
      direction: 'backwards',
      maxCount: pageSize,
      ...(fromRevision !== undefined && { fromRevision }),
    });
    for (const event of page) {
      newestFirst.push(event);
      if (isSnapshot({ type: event.type, data: event.data } as Event)) return newestFirst.reverse();
    }
    const oldest = page[page.length - 1];
    if (page.length < pageSize || !oldest || oldest.revision === 0) return newestFirst.reverse();
    fromRevision = oldest.revision - 1;
  }
}
