import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A bench that fails must not leave its servers running. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** What `serverProbe.mjs` answers. */
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

let built = false;

/**
 * otpledger is measured as it is deployed: compiled by `npm run build` and run by plain node (the Docker image's
 * `node .../dist/core/main.js`, the `otpledger` bin), built once per bench process from the sources as they are.
 * Under tsx (`npm start`), esbuild's `__name` helpers and the loader cost a token about 9 % more;
 * `BENCH_SERVER=tsx` measures that way instead.
 */
function otpledgerEntry(): string[] {
  if (process.env.BENCH_SERVER === 'tsx') return ['--import', 'tsx', '--import', './bench/serverProbe.mjs', 'core/main.ts'];
  if (!built) {
    // from nothing: tsc never deletes the output of a source that was removed (a deleted plugin would still load)
    fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
    if (build.status !== 0)
      throw new Error(`npm run build failed (${build.status ?? build.signal}): the bench measures the compiled server`);
    built = true;
  }
  return ['--import', './bench/serverProbe.mjs', 'dist/core/main.js'];
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** The server's own CPU, memory and event-loop delay, measured inside it (see `serverProbe.mjs`). */
  probe(): Promise<ProbeSample>;
  stop(): Promise<void>;
}

/**
 * Starts a server script (`core/main.ts`, `bench/bareKoaServer.ts`, ...) in its own process with the probe
 * preloaded; resolves once it prints the JSON line with its `url`. `core/main.ts` runs compiled (`otpledgerEntry`),
 * the bench's own TypeScript servers under tsx. `BENCH_NODE_ARGS` (e.g. `--cpu-prof`) applies to otpledger's
 * process only, the one being tuned.
 */
export async function startServerProcess(entry: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const nodeArgs = entry === 'core/main.ts' ? (process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []) : [];
  const args = entry === 'core/main.ts' ? otpledgerEntry() : ['--import', 'tsx', '--import', './bench/serverProbe.mjs', entry];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args], {
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
