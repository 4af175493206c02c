import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A second otpledger process (`core/main.ts`) on the config file a test wrote (or on `config/default.json` alone
 * when there is none), with `env` added; resolves once it listens.
 */
export async function startChildServer(
  configFile: string | undefined,
  env: Record<string, string> = {},
): Promise<{ url: string; metricsUrl?: string; stop(): Promise<void>; kill(): Promise<void> }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTPLEDGER_') && name !== 'PORT' && name !== 'HOST'),
  );
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'core/main.ts'], {
    cwd: repoRoot,
    env: {
      ...inherited,
      ...(configFile && { OTPLEDGER_CONFIG: path.resolve(configFile) }),
      OTPLEDGER_LOG_LEVEL: 'info',
      OTPLEDGER_METRICS_PORT: '0',
      ...env,
    },
  });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for await (const line of createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line) as { url?: string; metricsUrl?: string };
    if (entry.url) {
      child.stdout.resume();
      return {
        url: entry.url,
        ...(entry.metricsUrl && { metricsUrl: entry.metricsUrl }),
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
        /** `kill -9`: no shutdown, no last flush. */
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
      };
    }
  }
  throw new Error(`the second server exited before listening: ${stderr}`);
}
