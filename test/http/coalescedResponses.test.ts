import { expect } from 'chai';
import { coalescedResponses } from '../../core/http/coalescedResponses.js';
import type { AppContext } from '../../core/http/types.js';

/** Runs the middleware around a handler that finishes at once; the promise settles when the response may go out. */
function respond(middleware: ReturnType<typeof coalescedResponses>): { settled: () => boolean; done: Promise<void> } {
  let settled = false;
  const done = Promise.resolve(middleware({} as AppContext, async () => {})).then(() => {
    settled = true;
  });
  return { settled: () => settled, done };
}

const drainMicrotasks = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('coalesced responses', () => {
  it('holds a finished response until the end of the event-loop turn, not a microtask longer', async () => {
    const response = respond(coalescedResponses());
    await drainMicrotasks();
    expect(response.settled(), 'released before its turn ended').to.equal(false);
    await endOfTurn();
    expect(response.settled()).to.equal(true);
  });

  it('releases every response of one turn together, on one timer', async () => {
    const middleware = coalescedResponses();
    const first = respond(middleware);
    await drainMicrotasks(); // the first handler has finished and waits for the end of the turn
    // a timer set between the two requests: had the second its own, it would fire after this one
    let markerFired = false;
    const marker = endOfTurn().then(() => {
      markerFired = true;
    });
    const second = respond(middleware);
    await drainMicrotasks();
    expect(second.settled()).to.equal(false);
    await first.done;
    expect(second.settled(), 'the second response waited for a timer of its own').to.equal(true);
    expect(markerFired).to.equal(false);
    await marker;
  });

  it('starts a new turn for a response finished after the last one was released', async () => {
    const middleware = coalescedResponses();
    await respond(middleware).done;
    const later = respond(middleware);
    await drainMicrotasks();
    expect(later.settled()).to.equal(false);
    await later.done;
  });

  it('lets a handler error through at once', async () => {
    const failure = new Error('boom');
    let caught: unknown;
    await Promise.resolve(
      coalescedResponses()({} as AppContext, async () => {
        throw failure;
      }),
    ).catch((error: unknown) => (caught = error));
    expect(caught).to.equal(failure);
  });
});
