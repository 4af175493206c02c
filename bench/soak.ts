import { median } from './benchSupport.js';
import type { Operation } from './cpuPerOperation.js';
import type { ProbeSample } from './serverProcess.js';
import type { ServerProcess } from './serverProcess.js';

export interface SoakResult {
  cycles: number;
  seconds: number;
  /** Medians over the first and the last quarter of the samples taken after warm-up. */
  rssStartMb: number;
  rssEndMb: number;
  delayP99StartMs: number;
  delayP99EndMs: number;
  delayMaxMs: number;
}

/**
 * `total` operations on `connections` workers, the server probed every `sampleMs`: resident memory and the
 * event-loop delay of each interval. The first `warmupShare` of the operations is warm-up (JIT, caches filling
 * up to their bounds); growth is judged on what comes after.
 */
export async function soak(
  server: ServerProcess,
  op: Operation,
  options: { total: number; connections: number; sampleMs?: number; warmupShare?: number },
): Promise<SoakResult> {
  const { total, connections, sampleMs = 1000, warmupShare = 0.2 } = options;
  let started = 0;
  let done = 0;
  const samples: { done: number; sample: ProbeSample }[] = [];
  await server.probe(); // resets the delay histogram
  const t0 = performance.now();
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, sampleMs));
      if (running) samples.push({ done, sample: await server.probe() });
    }
  })();
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      while (started < total) {
        started += 1;
        await op(worker);
        done += 1;
      }
    }),
  );
  running = false;
  await sampler;
  const seconds = (performance.now() - t0) / 1000;
  const after = samples.filter((s) => s.done >= total * warmupShare);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const first = after.slice(0, quarter).map((s) => s.sample);
  const last = after.slice(-quarter).map((s) => s.sample);
  const mb = (bytes: number) => bytes / 2 ** 20;
  return {
    cycles: done,
    seconds,
    rssStartMb: mb(median(first.map((s) => s.rssBytes))),
    rssEndMb: mb(median(last.map((s) => s.rssBytes))),
    delayP99StartMs: median(first.map((s) => s.delayP99Ms)),
    delayP99EndMs: median(last.map((s) => s.delayP99Ms)),
    delayMaxMs: Math.max(...after.map((s) => s.sample.delayMaxMs)),
  };
}
