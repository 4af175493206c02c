// bench:compare — is this checkout cheaper than another commit? A paired A/B of the server's own CPU per operation.
//
// The base commit (BENCH_BASE, default main) is checked out in a temporary git worktree that borrows this
// checkout's node_modules; its own `bench/otpledgerUnderLoad.ts` is imported, so it builds and starts its own code.
// Both servers are loaded at the same time, round after round: on these shared, noisy cores two runs one after
// the other read 0.87-1.00 for the same code (an A/A pair), two servers loaded together 0.94-1.03 a round (median
// 0.99; 0.995-1.019, median 1.008, in another run), because both take the same noise. The verdict is the median
// of the rounds' ratios (this checkout / base) and how many rounds were cheaper.
//
// BENCH_OPERATION token | cycle | healthz (the fixed cost of every request); BENCH_ROUNDS (8), BENCH_SECONDS (6),
// BENCH_WARMUP_SECONDS (10), BENCH_CONNECTIONS (25 a server).
// Caveat: the plugin kit resolves to this checkout's build through the borrowed node_modules, for both servers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, median, tempDir } from './benchSupport.js';
import { measure, type Operation } from './cpuPerOperation.js';
import * as head from './otpledgerUnderLoad.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const OPERATION = process.env.BENCH_OPERATION ?? 'token';
const BASE = process.env.BENCH_BASE ?? 'main';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 6) * 1000;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10) * 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 25);
if (!['token', 'cycle', 'healthz'].includes(OPERATION))
  throw new Error(`BENCH_OPERATION must be token, cycle or healthz, not ${OPERATION}`);

const git = (...args: string[]) => {
  const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr.trim()}`);
  return run.stdout.trim();
};
const commit = git('rev-parse', '--verify', `${BASE}^{commit}`);
git('worktree', 'prune'); // a run killed with SIGKILL leaves its worktree registered; its temp dir may be gone
const worktree = path.join(tempDir('compare'), 'base');
git('worktree', 'add', '--detach', worktree, commit);
const removeWorktree = () => {
  if (!fs.existsSync(worktree)) return;
  spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root });
  fs.rmSync(path.dirname(worktree), { recursive: true, force: true });
  spawnSync('git', ['worktree', 'prune'], { cwd: root }); // in case `remove` failed and only the directory went
};
process.on('exit', removeWorktree);
const signalExitCodes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
for (const [signal, code] of Object.entries(signalExitCodes)) process.on(signal, () => process.exit(code));
fs.symlinkSync(path.join(root, 'node_modules'), path.join(worktree, 'node_modules'));

type UnderLoad = typeof head;
const base = (await import(pathToFileURL(path.join(worktree, 'bench/otpledgerUnderLoad.ts')).href)) as UnderLoad;

const servers = { base: await base.startOtpledger(CONNECTIONS), head: await head.startOtpledger(CONNECTIONS) };
const operation = (server: head.OtpledgerUnderLoad): Operation => {
  if (OPERATION === 'token') return server.token;
  if (OPERATION === 'cycle') return server.cycle;
  return async () => {
    const answer = await server.client.request('GET', '/healthz');
    if (answer.status !== 200) throw new Error(`/healthz: ${answer.status}`);
  };
};
const pair = (ms: number) =>
  Promise.all([servers.base, servers.head].map((server) => measure(server.server, operation(server), { ms, connections: CONNECTIONS })));

try {
  await pair(WARMUP_MS);
  const ratios: number[] = [];
  const micros = { base: [] as number[], head: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    const [b, h] = await pair(ROUND_MS);
    micros.base.push(b!.cpuMicrosPerOp);
    micros.head.push(h!.cpuMicrosPerOp);
    ratios.push(h!.cpuMicrosPerOp / b!.cpuMicrosPerOp);
    console.log(
      `round ${round}: base ${b!.cpuMicrosPerOp.toFixed(1)} µs, this checkout ${h!.cpuMicrosPerOp.toFixed(1)} µs ` +
        `(${fmt(b!.ops)} and ${fmt(h!.ops)} ${OPERATION}s), ratio ${ratios.at(-1)!.toFixed(3)}`,
    );
  }
  console.log(
    `median server CPU per ${OPERATION}: base ${median(micros.base).toFixed(1)} µs, this checkout ${median(micros.head).toFixed(1)} µs`,
  );
  const cheaper = ratios.filter((ratio) => ratio < 1).length;
  console.log(
    `otp-compare operation=${OPERATION} base=${commit.slice(0, 7)} ratio=${median(ratios).toFixed(3)} cheaper_rounds=${cheaper}/${ROUNDS}`,
  );
} finally {
  await Promise.all([servers.base.stop(), servers.head.stop()]);
  removeWorktree();
}
