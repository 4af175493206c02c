import { ConcurrencyError } from '../eventStore/concurrencyError.js';
import type { EventMetadata, EventStore, ExpectedRevision, RecordedEvent } from '../eventStore/types.js';
import type { Decider } from './decider.js';

export interface HandleResult<State, Event> {
  /** The events this command appended (empty when the decider decided nothing). */
  events: Event[];
  /** The state after those events. */
  state: State;
  /** The stream's revision after the command, -1 when the stream still does not exist. */
  revision: number;
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
  for (let attempt = 1; ; attempt++) {
    const recorded = await store.readStream(stream);
    const state = foldEvents(decider, recorded);
    const revision = recorded.length ? recorded[recorded.length - 1]!.revision : -1;
    const events = decider.decide(command, state);
    if (events.length === 0) return { events, state, revision };
    const expectedRevision: ExpectedRevision = revision === -1 ? 'no_stream' : revision;
    try {
      const result = await store.appendToStream(
        stream,
        events.map((event) => ({ type: event.type, data: event.data, metadata })),
        { expectedRevision },
      );
      return { events, state: events.reduce(decider.evolve, state), revision: result.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
    }
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
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
): Promise<State> {
  return foldEvents(decider, await store.readStream(stream));
}
