// bench:scaling — N otpledger processes (N = 1, 2, 4) on one PostgreSQL database, full OTP cycles
// (send, outbox read, authenticate) spread over them: cycles per second, and the CPU every otpledger
// process and the PostgreSQL server spent per cycle, read from the processes themselves. On this 2-core
// machine the load generator, the N servers and PostgreSQL share the cores, so cycles/s stop growing
// with N here; CPU per cycle is the figure that carries over (docs/scaling.md builds the model on it).
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { fmt, median, tempDir } from './benchSupport.js';
import { postgresCpuMicros, postmasterPid } from './postgresCpu.js';
import { jsonClient, type LoadClient } from './httpLoad.js';
import { benchConfig, prepareBenchTenant } from './otpledgerUnderLoad.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

const url = process.env.OTPLEDGER_TEST_POSTGRES?.trim();
if (!url) {
  console.log('bench:scaling needs PostgreSQL: set OTPLEDGER_TEST_POSTGRES (bash .ci/postgres.sh start prints it)');
  process.exit(0);
}
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 48);
const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 6) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Run {
  cycles: number;
  cyclesPerSecond: number;
  otpledgerCpuPerCycle: number;
  postgresCpuPerCycle: number;
}

/** What the cycles left in the database: events and bytes (table, indexes, TOAST) per cycle. */
interface Footprint {
  eventsPerCycle: number;
  bytesPerEvent: number;
}

async function runWith(processes: number, postmaster: number): Promise<{ runs: Run[]; footprint: Footprint }> {
  const dir = tempDir('scaling');
  const schema = `scale_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const storeUrl = new URL(url!);
  storeUrl.searchParams.set('schema', schema);
  const configFile = path.join(dir, 'bench-config.json');
  // each worker re-sends to its own phone at once: SMS protection lets the cycles through (as bench:otp does)
  fs.writeFileSync(
    configFile,
    JSON.stringify(benchConfig(dir, { eventStore: { url: storeUrl.toString() }, oidc: { issuer: 'https://otpledger.bench' } })),
  );
  // the first creates the schema and the keys; the others start on them
  const servers: ServerProcess[] = [await startServerProcess('core/main.ts', { OTPLEDGER_CONFIG: configFile })];
  servers.push(
    ...(await Promise.all(
      Array.from({ length: processes - 1 }, () => startServerProcess('core/main.ts', { OTPLEDGER_CONFIG: configFile })),
    )),
  );
  const clients: LoadClient[] = servers.map((server) => jsonClient(server.url, Math.ceil(CONNECTIONS / processes)));
  const { token, phones } = await prepareBenchTenant(clients[0]!, CONNECTIONS);
  for (const phone of phones) await clients[0]!.request('POST', '/cis/v1/users', { phone_number: phone }, token);

  const ok = (what: string, response: { status: number; body: unknown }) => {
    if (response.status !== 200) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  // worker w always uses server w % N and its own phone, as a load balancer with sticky sessions would
  const cycle = async (worker: number) => {
    const client = clients[worker % processes]!;
    const phone = phones[worker]!;
    ok(
      'send',
      await client.request('POST', '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token),
    );
    const outbox = ok('outbox', await client.request('GET', `/dev/sms-outbox?phone_number=${encodeURIComponent(phone)}`));
    const code = /\d{6}/.exec((outbox.body as { message: string }[])[0]!.message)![0];
    ok(
      'authenticate',
      await client.request(
        'POST',
        '/cis/v1/auth/otp/authenticate',
        { passcode: code, identifier_type: 'phone_number', identifier: phone },
        token,
      ),
    );
  };
  const measureFor = async (ms: number): Promise<Run> => {
    const before = await Promise.all(servers.map((server) => server.probe()));
    const pgBefore = postgresCpuMicros(postmaster);
    let cycles = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, worker) => {
        while (performance.now() - started < ms) {
          await cycle(worker);
          cycles += 1;
        }
      }),
    );
    const elapsed = performance.now() - started;
    const after = await Promise.all(servers.map((server) => server.probe()));
    const otpledgerCpu = after.reduce((sum, sample, i) => sum + sample.cpuMicros - before[i]!.cpuMicros, 0);
    return {
      cycles,
      cyclesPerSecond: (cycles * 1000) / elapsed,
      otpledgerCpuPerCycle: otpledgerCpu / cycles,
      postgresCpuPerCycle: (postgresCpuMicros(postmaster) - pgBefore) / cycles,
    };
  };
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const sizes = async () =>
    (
      await admin.query<{ events: string; bytes: string }>(
        `SELECT count(*) AS events, pg_total_relation_size('${schema}.events') AS bytes FROM ${schema}.events`,
      )
    ).rows[0]!;
  try {
    await measureFor(2000); // warm-up: JIT, caches, connections
    const before = await sizes();
    const runs: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) runs.push(await measureFor(ROUND_MS));
    const after = await sizes();
    const cycles = runs.reduce((sum, run) => sum + run.cycles, 0);
    const events = Number(after.events) - Number(before.events);
    return { runs, footprint: { eventsPerCycle: events / cycles, bytesPerEvent: (Number(after.bytes) - Number(before.bytes)) / events } };
  } finally {
    for (const client of clients) client.close();
    await Promise.all(servers.map((server) => server.stop()));
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const postmaster = await postmasterPid(url);
console.log(
  `${CONNECTIONS} connections spread over N otpledger processes on one PostgreSQL, ${ROUNDS} rounds of ${ROUND_MS / 1000} s (median):`,
);
for (const processes of [1, 2, 4]) {
  const { runs, footprint } = await runWith(processes, postmaster);
  const m = (pick: (run: Run) => number) => median(runs.map(pick));
  console.log(
    `  N=${processes}: ${fmt(m((r) => r.cyclesPerSecond))} cycles/s; CPU per cycle: otpledger ${fmt(m((r) => r.otpledgerCpuPerCycle))} µs (all processes), ` +
      `PostgreSQL ${fmt(m((r) => r.postgresCpuPerCycle))} µs; ${footprint.eventsPerCycle.toFixed(2)} events and ${fmt(footprint.eventsPerCycle * footprint.bytesPerEvent)} bytes stored per cycle`,
  );
}
