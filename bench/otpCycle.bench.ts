// bench:otp — what a token and an OTP cycle cost the server, in CPU time read from the server process itself
// (`serverProbe.mjs`), beside a bare Koa route and node-oidc-provider's `client_credentials`, in one run:
// the load generator shares the two cores, so throughput would measure it too; CPU per operation does not.
// Rounds interleave the lines, and each ratio is the median of the rounds' ratios.
// Then a soak: BENCH_SOAK_CYCLES (100,000) OTP cycles, resident memory and event-loop delay sampled.
//
// To measure a feature's cost, add one entry to `lines` (start its own otpledger with a config overlay
// through `startOtpledger(CONNECTIONS, overlay)` if it needs one) and one print line at the end.
import { fmt, median } from './benchSupport.js';
import { measure, type Measurement, type Operation } from './cpuPerOperation.js';
import { jsonClient } from './httpLoad.js';
import { PEER_CLIENT } from './peerClient.js';
import { basic, startOtpledger } from './otpledgerUnderLoad.js';
import { measureSealing } from './sealingCost.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import { screeningShare } from './screeningShare.js';
import { soak } from './soak.js';

const CONNECTIONS = 50;
const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
/** Five, not three: single rounds of a ratio swing by ±15 % on these shared cores, a median of five less. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * Not measured: JIT, caches and the first plugin instances settle first. Ten seconds a line, not two: a cycle
 * runs a few hundred functions once each, and perf showed V8's optimising compiler still taking 17 % of the
 * server's CPU 8-13 s into a run of cycles, under 1 % after 20 s.
 */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10) * 1000;
const SOAK_CYCLES = Number(process.env.BENCH_SOAK_CYCLES ?? 100_000);

interface Line {
  name: string;
  unit: string;
  server: ServerProcess;
  op: Operation;
}

const bareServer = await startServerProcess('bench/bareKoaServer.ts');
const bareClient = jsonClient(bareServer.url, CONNECTIONS);
const peerServer = await startServerProcess('bench/oidcProviderServer.ts');
const peerClient = jsonClient(peerServer.url, CONNECTIONS);
const otpledger = await startOtpledger(CONNECTIONS);
// the cost of Prometheus metrics (on in config/default.json): the same cycle on a server with them off
const unmetered = await startOtpledger(CONNECTIONS, { metrics: { enabled: false } });

const expect200 = (what: string) => (response: { status: number; body: unknown }) => {
  if (response.status !== 200) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
};
const lines = {
  bare: {
    name: 'bare Koa JSON route',
    unit: 'request',
    server: bareServer,
    op: async () => expect200('bare')(await bareClient.request('POST', '/bare', { channel: 'sms' })),
  },
  peer: {
    name: 'node-oidc-provider client_credentials (ES256 JWT)',
    unit: 'token',
    server: peerServer,
    op: async () =>
      expect200('peer')(
        await peerClient.send('POST', '/token', 'grant_type=client_credentials', {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(PEER_CLIENT),
        }),
      ),
  },
  token: { name: 'otpledger client_credentials (ES256 JWT)', unit: 'token', server: otpledger.server, op: otpledger.token },
  cycle: { name: 'otpledger OTP cycle (send, outbox read, authenticate)', unit: 'cycle', server: otpledger.server, op: otpledger.cycle },
  cycleUnmetered: { name: 'otpledger OTP cycle, metrics off', unit: 'cycle', server: unmetered.server, op: unmetered.cycle },
} satisfies Record<string, Line>;

const results = new Map<string, Measurement[]>(Object.keys(lines).map((key) => [key, []]));
for (const line of Object.values(lines)) await measure(line.server, line.op, { ms: WARMUP_MS, connections: CONNECTIONS });
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, line] of Object.entries(lines))
    results.get(key)!.push(await measure(line.server, line.op, { ms: ROUND_MS, connections: CONNECTIONS }));
}

const cpu = (key: keyof typeof lines) => results.get(key)!.map((m) => m.cpuMicrosPerOp);
console.log(
  `server CPU per operation at ${CONNECTIONS} connections, ${ROUNDS} rounds of ${ROUND_MS / 1000} s (median, range of the rounds):`,
);
for (const [key, line] of Object.entries(lines)) {
  const runs = results.get(key)!;
  const values = runs.map((m) => m.cpuMicrosPerOp);
  console.log(
    `  ${line.name}: ${fmt(median(values))} µs/${line.unit} (${fmt(Math.min(...values))}-${fmt(Math.max(...values))}); ` +
      `latency p50 ${median(runs.map((m) => m.p50Ms)).toFixed(1)} ms, p99 ${median(runs.map((m) => m.p99Ms)).toFixed(1)} ms; ${fmt(median(runs.map((m) => m.opsPerSecond)))} ${line.unit}s/s`,
  );
}
const perRound = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]!));
const sealing = await measureSealing();
const cycleCpu = median(cpu('cycle'));
console.log(
  `otp-sealing cycle_share=${(sealing.cycleMicros / cycleCpu).toFixed(3)} target=0.1 (the sealing layer, measured in this process: ` +
    `${sealing.cycleMicros.toFixed(0)} µs per OTP cycle of ${fmt(cycleCpu)} µs; a new user's profile sealed under a new key ${fmt(sealing.signupMicros)} µs, once per user)`,
);
const tokenVsPeer = perRound(cpu('token'), cpu('peer'));
const cycleVsBare = perRound(cpu('cycle'), cpu('bare'));
const metricsCost = perRound(cpu('cycle'), cpu('cycleUnmetered'));
await unmetered.stop();
const screening = await screeningShare(otpledger.server, otpledger.cycle, { ms: ROUND_MS, connections: CONNECTIONS });

bareClient.close();
peerClient.close();
await bareServer.stop();
await peerServer.stop();

if (SOAK_CYCLES > 0) {
  const result = await soak(otpledger.server, otpledger.cycle, { total: SOAK_CYCLES, connections: CONNECTIONS });
  const growth = (start: number, end: number) => end / start - 1;
  console.log(
    `soak: ${fmt(result.cycles)} OTP cycles in ${fmt(result.seconds)} s; after warm-up, resident memory ${result.rssStartMb.toFixed(0)} -> ` +
      `${result.rssEndMb.toFixed(0)} MB, event-loop delay p99 ${result.delayP99StartMs.toFixed(1)} -> ${result.delayP99EndMs.toFixed(1)} ms (max ${result.delayMaxMs.toFixed(0)} ms)`,
  );
  console.log(
    `otp-soak rss_growth=${growth(result.rssStartMb, result.rssEndMb).toFixed(3)} delay_p99_growth=${growth(result.delayP99StartMs, result.delayP99EndMs).toFixed(3)} target=0.2`,
  );
}
await otpledger.stop();

console.log(`otp-metrics cycle_cpu_with_vs_without=${metricsCost.toFixed(3)} (metrics are cheap when close to 1)`);
console.log(
  `SMS protection screening: ${fmt(screening.screeningMicros)} µs of a ${fmt(screening.cycleMicros)} µs OTP cycle ` +
    `(metered in the server ${screening.metered.toFixed(1)}, the per-phone rule ${screening.rule.toFixed(1)}, the policy read ${screening.policyRead.toFixed(1)})`,
);
console.log(`otp-screening share=${screening.share.toFixed(3)} target=0.1`);
console.log('targets: token_vs_peer <= 0.65, cycle_vs_bare <= 5');
console.log(`otp-cpu token_vs_peer=${tokenVsPeer.toFixed(3)} cycle_vs_bare=${cycleVsBare.toFixed(3)}`);
