// Preloaded into every server process a benchmark starts (`node --import tsx --import ./bench/serverProbe.ts`):
// answers the parent's "probe" message over the IPC channel with the process's own CPU time (all threads,
// from getrusage), resident memory and event-loop delay since the previous probe. The server under test
// is measured from inside, so the load generator sharing the cores does not count.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeSample {
  /** User + system CPU of the whole process since it started, in microseconds. */
  cpuMicros: number;
  rssBytes: number;
  /** Event-loop delay since the previous probe, in milliseconds. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** CPU spent screening SMS sends so far (`core/protection/screeningCost.ts`), in microseconds; 0 outside otpledger. */
  screeningMicros: number;
}

if (process.send) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('message', (message) => {
    if (message !== 'probe') return;
    const { user, system } = process.cpuUsage();
    const sample: ProbeSample = {
      cpuMicros: user + system,
      rssBytes: process.memoryUsage.rss(),
      delayP50Ms: delay.percentile(50) / 1e6,
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
      screeningMicros: (globalThis as Record<symbol, { micros?: number } | undefined>)[Symbol.for('otpledger.screeningCost')]?.micros ?? 0,
    };
    delay.reset();
    process.send!({ probe: sample });
  });
  // the channel must not keep a server alive that was asked to stop
  process.channel?.unref();
}
