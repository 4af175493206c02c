/**
 * A business rule as a pure function pair (emmett's Decider): `decide` turns a command and the
 * current state into new events, `evolve` folds an event into the state. Time and randomness come
 * in through the command, so a decider needs no clock and no I/O to test.
 */
export interface Decider<State, Command, Event extends { type: string; data: unknown }> {
  initialState(): State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  /**
   * Optional "closing the books": true for an event that carries everything the state needs, so
   * folding can start from the newest such event instead of the stream's beginning. Streams that
   * live long (one phone's codes, for years) are then read in O(1), not O(history).
   */
  isSnapshot?(event: Event): boolean;
}

/**
 * What a refusal means, whichever dialect tells it: the request is wrong (`invalid`), names nothing there is
 * (`not_found`), clashes with what exists (`conflict`), asks for what the rules forbid (`forbidden`), or asks
 * again too soon or too often (`limited`: it may succeed later). Each dialect's error renderer turns the
 * meaning into its status and words.
 */
export type DomainErrorMeaning = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'limited';

/** A rule said no: the command is refused, nothing is appended. Subclasses say which rule. */
export class DomainError extends Error {
  constructor(
    /** A stable machine-readable reason, e.g. `locked_out`. */
    readonly reason: string,
    message: string,
    readonly meaning: DomainErrorMeaning = 'invalid',
  ) {
    super(message);
    this.name = new.target.name;
  }
}
