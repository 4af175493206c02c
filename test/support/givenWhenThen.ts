import { expect } from 'chai';
import type { Decider } from '../../core/decider/decider.js';

/**
 * `given(events).when(command).then(events | ErrorClass)` for a decider: pure, no store, no clock.
 * @example spec(otpDecider).given([issued]).when(verify).then([{ type: 'OtpVerified', ... }])
 */
export function spec<State, Command, Event extends { type: string; data: unknown }>(decider: Decider<State, Command, Event>) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const state = events.reduce(decider.evolve, decider.initialState());
          return {
            then(expected: Event[] | (new (...args: never[]) => Error)) {
              if (Array.isArray(expected)) {
                expect(decider.decide(command, state)).to.deep.equal(expected);
              } else {
                expect(() => decider.decide(command, state)).to.throw(expected);
              }
            },
          };
        },
      };
    },
  };
}
