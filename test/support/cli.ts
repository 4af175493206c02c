import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestServer } from './otpServer.js';
import { writeJson } from './tempDir.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `bin/otpledger.js` as a user would, with only this config (no OTPLEDGER_* from the outside). */
export function cli(configFile: string, ...args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTPLEDGER_')));
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/otpledger.js'), ...args], {
    cwd: repoRoot,
    env: { ...env, OTPLEDGER_CONFIG: configFile },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/**
 * `cli` without blocking this process: for a CLI run beside a server of this process, which must go on
 * answering (a blocked event loop lets its keep-alive connections lapse under the test's requests).
 */
export function cliBeside(configFile: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTPLEDGER_')));
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/otpledger.js'), ...args], {
    cwd: repoRoot,
    env: { ...env, OTPLEDGER_CONFIG: configFile },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** The event store file of a test server, and a CLI config file pointing at it and at the server's data dir. */
export function cliConfigFor(t: TestServer): { configFile: string; eventsFile: string } {
  const eventsFile = path.resolve(t.server.container.cradle.config.eventStore.url.slice('sqlite:'.length));
  const configFile = writeJson(t.dir, 'cli-config.json', {
    dataDir: t.dir,
    eventStore: { url: `sqlite:${eventsFile}` },
    log: { level: 'silent' },
  });
  return { configFile, eventsFile };
}
