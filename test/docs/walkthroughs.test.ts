import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { startChildServer } from '../support/childServer.js';
import { walkthroughsOf, type Walkthrough } from '../support/markdownWalkthroughs.js';
import { tempDir } from '../support/tempDir.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const readme = path.join(repoRoot, 'README.md');
const guides = readdirSync(path.join(repoRoot, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => path.join(repoRoot, 'docs', name));

/**
 * What the test adds around a block: stop at the first failing command (pipes included), make curl fail on any
 * HTTP status >= 400 (keeping the body for the message).
 */
const prelude = `set -eo pipefail
curl() { command curl --silent --show-error --fail-with-body "$@"; }
`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The block as pasted, pointed at the test's server (its API and its metrics listener); every other 127.0.0.1:<port> gets a free port. */
async function localise(script: string, serverUrl: string, metricsUrl: string): Promise<string> {
  let text = script.replaceAll('http://127.0.0.1:8080', serverUrl).replaceAll('http://127.0.0.1:9464/metrics', metricsUrl);
  const metricsPort = new URL(metricsUrl).port;
  for (const port of new Set([...text.matchAll(/127\.0\.0\.1:(\d{2,5})\b/g)].map((match) => match[1]!))) {
    if (serverUrl.endsWith(`:${port}`) || port === metricsPort) continue;
    const free = await freePort();
    text = text.replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${free}`).replaceAll(`.listen(${port},`, `.listen(${free},`);
  }
  return text;
}

/** Runs a block with bash in its own process group, so anything it leaves in the background is stopped too. */
async function runBash(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-c', prelude + script], {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 170_000); // the machine is shared: a CLI start can take seconds
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // the group is already gone
  }
  return { code, output };
}

describe('README and docs walkthroughs, pasted into bash against a real server', function () {
  this.timeout(180_000);
  const temp = tempDir();
  let server: { url: string; metricsUrl?: string; stop(): Promise<void> };
  const env = () => ({ OTPLEDGER_DATA_DIR: temp.dir });

  // Blocks run where a reader of a clone pastes them, its root, stood in for by a directory whose bin/ is the clone's:
  // what they write (exports) stays out of the repository.
  const cwd = path.join(temp.dir, 'clone');
  before(async () => {
    mkdirSync(cwd);
    symlinkSync(path.join(repoRoot, 'bin'), path.join(cwd, 'bin'));
    server = await startChildServer(undefined, { OTPLEDGER_DATA_DIR: temp.dir, PORT: '0' });
  });
  after(async () => {
    await server?.stop();
    temp.remove();
  });

  it('finds the walkthroughs the front door promises', () => {
    const names = [readme, ...guides].flatMap((file) => walkthroughsOf(file).map((walk) => walk.name));
    expect(names).to.include.members(['tour', 'providers', 'auth0', 'audit', 'cli']);
  });

  // The README first, then every guide in name order on the same server, then the tour again:
  // a guide that leaves the demo tenant broken for the next reader fails here.
  const tour = walkthroughsOf(readme);
  const COOLDOWN_MS = 31_000; // the default policy's limits.phone.cooldown_seconds, and a second
  let tourRanAt = 0;
  const plan: Walkthrough[] = [...tour, ...guides.flatMap(walkthroughsOf), ...tour.filter((walk) => walk.name === 'tour')];
  plan.forEach((walk, index) => {
    const where = `${path.relative(repoRoot, walk.file)}:${walk.line}`;
    const again = index >= plan.length - 1 && index > 0;
    it(`${where} ${walk.name}${again ? ' (again, after every guide)' : ''}`, async () => {
      // a reader pasting the tour twice within SMS protection's per-number cooldown gets 429 by design
      if (again) await sleep(Math.max(0, tourRanAt + COOLDOWN_MS - Date.now()));
      const { code, output } = await runBash(await localise(walk.script, server.url, server.metricsUrl!), env(), cwd);
      expect(code, `${where} ${walk.name} failed (exit ${code}):\n${output}`).to.equal(0);
      if (walk.expect) expect(output, `${where} ${walk.name}: its output lacks ${walk.expect}`).to.include(walk.expect);
      if (walk.name === 'tour') tourRanAt = Date.now();
    });
  });
});
