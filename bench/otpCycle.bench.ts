// Full OTP cycles (send + authenticate, the code read from the dev outbox in between) at 50
// connections against a real otpledger process on the embedded store, beside a bare Koa JSON route
// (same framework, same client, its own process) measured in the same run.
// ratio = otpledger's OTP request rate (send + authenticate requests/s) / the bare route's request rate.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fmt, printVerdict, tempDir } from './benchSupport.js';
import { jsonClient, percentile } from './httpLoad.js';

const CONNECTIONS = 50;
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
/** Not measured: JIT, caches and the first plugin instances settle first. */
const WARMUP_MS = 2000;
const root = fileURLToPath(new URL('..', import.meta.url));

async function startProcess(entry: string, env: Record<string, string> = {}): Promise<{ url: string; stop(): void }> {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const { url } = JSON.parse(line) as { url?: string };
    if (url) {
      child.stdout!.resume();
      return { url, stop: () => child.kill('SIGTERM') };
    }
  }
  throw new Error(`${entry} did not start`);
}

async function runFor(ms: number, worker: (id: number, until: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const until = started + ms;
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, id) => worker(id, until)));
  return performance.now() - started;
}

/**
 * The bare route's request rate, and the harness ceiling: the same bare server driven in the shape of
 * an OTP cycle (send, outbox read, authenticate), doing no work at all. No server can score a higher
 * ratio than that ceiling on this machine, since the load generator shares its cores.
 */
async function bare(): Promise<{ rate: number; ceilingRequests: number }> {
  const server = await startProcess('bench/bareKoaServer.ts');
  const client = jsonClient(server.url, CONNECTIONS);
  let requests = 0;
  let cycles = 0;
  const load = async (_id: number, until: number) => {
    while (performance.now() < until) {
      await client.request('POST', '/bare', { channel: 'sms' });
      requests += 1;
    }
  };
  const cycleShaped = async (_id: number, until: number) => {
    while (performance.now() < until) {
      await client.request('POST', '/bare', { channel: 'sms', identifier_type: 'phone_number', identifier: '+15125551000' });
      await client.request('GET', '/bare-outbox?phone_number=%2B15125551000');
      await client.request('POST', '/bare', { passcode: '123456', identifier_type: 'phone_number', identifier: '+15125551000' });
      cycles += 1;
    }
  };
  await runFor(WARMUP_MS, load);
  requests = 0;
  const ms = await runFor(DURATION_MS, load);
  const rate = (requests * 1000) / ms;
  const ceilingMs = await runFor(DURATION_MS / 2, cycleShaped);
  client.close();
  server.stop();
  return { rate, ceilingRequests: (cycles * 2 * 1000) / ceilingMs };
}

async function otp(): Promise<{ cycles: number; requests: number; p99: number; p50: number }> {
  const dir = tempDir('otp');
  const configFile = path.join(dir, 'bench-config.json');
  fs.writeFileSync(configFile, JSON.stringify({
    server: { host: '127.0.0.1', port: 0 }, dataDir: dir, log: { level: 'info' }, dev: { outbox: true },
    bootstrap: { tenants: [{ id: 'bench', name: 'Bench', applications: [{ name: 'Bench app', client_id: 'bench-app', client_secret: 'bench-secret-0123456789', role: 'app',
      otp: { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 } },
      { name: 'Bench admin', client_id: 'bench-admin', client_secret: 'bench-admin-secret-0123456789', role: 'management' }] }] },
  }));
  const server = await startProcess('core/main.ts', { OTPLEDGER_CONFIG: configFile, OTPLEDGER_LOG_LEVEL: 'info' });
  const client = jsonClient(server.url, CONNECTIONS);
  const tokenResponse = await fetch(`${server.url}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench-app', client_secret: 'bench-secret-0123456789' }) });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  // the Default provider caps each tenant at 10 SMS/s (evaluation only); the bench measures the server, not that cap
  const adminResponse = await fetch(`${server.url}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench-admin', client_secret: 'bench-admin-secret-0123456789' }) });
  const { access_token: adminToken } = (await adminResponse.json()) as { access_token: string };
  await client.request('PUT', '/cis/v1/tenantsmsproviders', { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } }, adminToken);
  const phones = Array.from({ length: CONNECTIONS }, (_, i) => `+1512555${String(1000 + i).padStart(4, '0')}`);
  for (const phone of phones) await client.request('POST', '/cis/v1/users', { phone_number: phone }, token);

  let recording = false;
  const latencies: number[] = [];
  const byRoute = new Map<string, number[]>();
  let cycles = 0;
  const timed = async (method: string, route: string, body: unknown) => {
    const t0 = performance.now();
    const response = await client.request(method, route, body, token);
    const ms = performance.now() - t0;
    if (recording) {
      latencies.push(ms);
      const values = byRoute.get(route) ?? [];
      values.push(ms);
      byRoute.set(route, values);
    }
    if (response.status !== 200) throw new Error(`${route}: ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  const cycle = async (id: number, until: number) => {
    const phone = phones[id]!;
    while (performance.now() < until) {
      await timed('POST', '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone });
      const outbox = await client.request('GET', `/dev/sms-outbox?phone_number=${encodeURIComponent(phone)}`);
      const code = /\d{6}/.exec((outbox.body as { message: string }[])[0]!.message)![0];
      await timed('POST', '/cis/v1/auth/otp/authenticate', { passcode: code, identifier_type: 'phone_number', identifier: phone });
      if (recording) cycles += 1;
    }
  };
  await runFor(WARMUP_MS, cycle);
  recording = true;
  const ms = await runFor(DURATION_MS, cycle);
  client.close();
  server.stop();
  latencies.sort((a, b) => a - b);
  for (const [route, values] of byRoute) {
    values.sort((a, b) => a - b);
    console.log(`  ${route}: p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${values[values.length - 1]!.toFixed(1)} ms`);
  }
  return { cycles: (cycles * 1000) / ms, requests: (cycles * 2 * 1000) / ms, p99: percentile(latencies, 99), p50: percentile(latencies, 50) };
}

const { rate: bareRate, ceilingRequests } = await bare();
console.log(`bare Koa JSON route, ${CONNECTIONS} connections: ${fmt(bareRate)} requests/s`);
console.log(`harness ceiling (the bare server driven in the cycle's shape, no work): ${fmt(ceilingRequests / 2)} cycles/s = ` +
  `${fmt(ceilingRequests)} "OTP requests"/s, ratio ${(ceilingRequests / bareRate).toFixed(3)}`);
const result = await otp();
console.log(`otpledger OTP cycles, ${CONNECTIONS} connections: ${fmt(result.cycles)} cycles/s = ${fmt(result.requests)} OTP requests/s; ` +
  `latency p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (target p99 <= 25 ms)`);
printVerdict('otp-cycle', result.requests / bareRate, 0.5);
