import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `performance.now()` has reached `deadline` (monotonic ms), to within a fraction of a
 * millisecond: a timer covers all but the last millisecond (timers round to whole ones), then the event loop
 * turns until the moment comes, so other requests run meanwhile.
 */
export async function waitUntil(deadline: number): Promise<void> {
  const ahead = deadline - performance.now();
  if (ahead > 2) await sleep(Math.floor(ahead - 1));
  while (performance.now() < deadline) await nextTurn();
}
