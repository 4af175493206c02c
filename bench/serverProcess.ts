import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProbeSample } from './serverProbe.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A bench that fails must not leave its servers running. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface ServerProcess {
  url: string;
  pid: number;
  /** The server's own CPU, memory and event-loop delay, measured inside it (see `serverProbe.ts`). */
  probe(): Promise<ProbeSample>;
  stop(): Promise<void>;
}

/**
 * Starts a server script (`core/main.ts`, `bench/bareKoaServer.ts`, ...) in its own process with the probe
 * preloaded; resolves once it prints the JSON line with its `url`. `BENCH_NODE_ARGS` (e.g. `--cpu-prof`)
 * applies to otpledger's process only, the one being tuned.
 */
export async function startServerProcess(entry: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const nodeArgs = entry === 'core/main.ts' ? (process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []) : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--import', './bench/serverProbe.ts', entry], {
    // metrics (on in config/default.json) on a free port of their own: several servers may run side by side
    cwd: root,
    env: { OTPLEDGER_METRICS_PORT: '0', ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = once(child, 'exit').finally(() => children.delete(child));
  for await (const line of createInterface({ input: child.stdout! })) {
    let url: string | undefined;
    try {
      ({ url } = JSON.parse(line) as { url?: string });
    } catch {
      continue;
    }
    if (!url) continue;
    child.stdout!.resume();
    return {
      url,
      pid: child.pid!,
      probe: () =>
        new Promise<ProbeSample>((resolve) => {
          const onMessage = (message: { probe?: ProbeSample }) => {
            if (!message.probe) return;
            child.off('message', onMessage);
            resolve(message.probe);
          };
          child.on('message', onMessage);
          child.send('probe');
        }),
      async stop() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
  throw new Error(`${entry} exited before it listened`);
}
