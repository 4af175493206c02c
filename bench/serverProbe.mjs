// @ts-check
// Preloaded into every server process a benchmark starts (`node --import ./bench/serverProbe.mjs <entry>`):
// answers the parent's "probe" message over the IPC channel with the process's own CPU time (all threads,
// from getrusage), resident memory and event-loop delay since the previous probe. The server under test
// is measured from inside, so the load generator sharing the cores does not count. Plain JavaScript, so it
// loads into the compiled server (`dist/`), which runs without tsx; `ProbeSample` in serverProcess.ts is its shape.
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send) {
  const send = process.send.bind(process);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('message', (message) => {
    if (message !== 'probe') return;
    const { user, system } = process.cpuUsage();
    /** @type {Record<symbol, { micros?: number } | undefined>} */
    const shared = /** @type {never} */ (globalThis);
    const sample = {
      cpuMicros: user + system,
      rssBytes: process.memoryUsage.rss(),
      delayP50Ms: delay.percentile(50) / 1e6,
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
      screeningMicros: shared[Symbol.for('otpledger.screeningCost')]?.micros ?? 0,
    };
    delay.reset();
    send({ probe: sample });
  });
  // the channel must not keep a server alive that was asked to stop
  process.channel?.unref();
}
