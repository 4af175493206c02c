import { percentile } from './httpLoad.js';
import type { ServerProcess } from './serverProcess.js';

export interface Measurement {
  ops: number;
  opsPerSecond: number;
  /** The server process's CPU time (user + system, every thread) per operation. */
  cpuMicrosPerOp: number;
  p50Ms: number;
  p99Ms: number;
}

/** One operation of a load: a request, or a few in a row (an OTP cycle). Throws on a wrong answer. */
export type Operation = (worker: number) => Promise<void>;

/**
 * Runs `op` in a loop on `connections` concurrent workers for `ms`, then reads how much CPU the server spent.
 * The probes bracket the load, so every operation counted finished inside the window and all its CPU is in it.
 */
export async function measure(
  server: ServerProcess,
  op: Operation,
  { ms, connections }: { ms: number; connections: number },
): Promise<Measurement> {
  const latencies: number[] = [];
  const before = await server.probe();
  const started = performance.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await op(worker);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  const after = await server.probe();
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    opsPerSecond: (latencies.length * 1000) / elapsed,
    cpuMicrosPerOp: (after.cpuMicros - before.cpuMicros) / latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
