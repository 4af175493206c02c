import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AppMiddleware } from './types.js';

/**
 * Holds each response until the end of the event-loop turn that produced it (`setImmediate`), so the
 * responses of every request handled in one turn go out together instead of one by one as each handler
 * finishes.
 *
 * Why: writing a response to a socket wakes the client waiting on it, and on virtual machines that wake-up
 * (an interrupt sent to another vCPU) costs the sender more than the rest of the write. Written one by one,
 * each response pays it; written in a burst, the first wakes the client and the rest find it awake. Measured
 * on this project's 2-core VMs with bench/profileOne.ts: a `client_credentials` token went from 283 to 168 µs
 * of server CPU, and tokens per second up by two thirds (`docs/benchmarks.md`). What it costs: a response waits
 * for the rest of its turn, microseconds at most, and one promise and one timer per turn, shared by its requests.
 * The peer measured beside us gets the same effect by signing on libuv's thread pool, whose completions land
 * in bursts.
 *
 * It is the outermost middleware: the log line, the metrics and the error handler have all seen the response
 * before it waits, so the duration they record is the handler's.
 */
export function coalescedResponses(): AppMiddleware {
  // the turn's one timer, shared by every response finished in it
  let endOfTurn: Promise<void> | undefined;
  return async (_ctx, next) => {
    await next();
    await (endOfTurn ??= nextTurn().then(() => {
      endOfTurn = undefined;
    }));
  };
}
