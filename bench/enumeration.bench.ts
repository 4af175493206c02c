// bench:enumeration — can a caller tell a known identifier from an unknown one by how long the answer takes?
// For each route, known and unknown requests are interleaved in a random order (one at a time, keep-alive),
// after a warm-up, against a real otpledger process; it prints both medians and p90s and P(known slower), the
// probability that a known request takes longer than an unknown one (0.5: indistinguishable; target 0.4-0.6).
// Status and body are checked to be identical by the e2e tests (test/e2e/enumerationParity.test.ts).
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './benchSupport.js';
import { probabilityGreater, summary } from './enumerationStats.js';
import { jsonClient } from './httpLoad.js';
import { basic } from './otpledgerUnderLoad.js';
import { startServerProcess } from './serverProcess.js';

const PER_KIND = Number(process.env.BENCH_ENUMERATION_REQUESTS ?? 250);
const WARMUP = 30;
const GATEWAY_MS = 20;
const APP = { client_id: 'enum-app', client_secret: 'enum-secret-0123456789' };
const ADMIN = { client_id: 'enum-admin', client_secret: 'enum-admin-secret-0123456789' };

/** A Mosaic custom gateway on 127.0.0.1 that answers after GATEWAY_MS: a provider with a round trip. */
async function slowGateway(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET')
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ key: req.headers['x-verification-key'] }));
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), GATEWAY_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, close: () => server.close() };
}

const dir = tempDir('enumeration');
const configFile = path.join(dir, 'bench-config.json');
fs.writeFileSync(
  configFile,
  JSON.stringify({
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'info' },
    dev: { outbox: true },
    sms: { allowPrivateNetworks: true },
    bootstrap: {
      tenants: [
        {
          id: 'enum',
          name: 'Enum',
          applications: [
            {
              name: 'Enum app',
              ...APP,
              role: 'app',
              redirect_uris: ['https://enum.example/cb'],
              otp: { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 },
            },
            { name: 'Enum admin', ...ADMIN, role: 'management' },
          ],
        },
      ],
    },
  }),
);
const server = await startServerProcess('core/main.ts', { OTPLEDGER_CONFIG: configFile, OTPLEDGER_LOG_LEVEL: 'info' });
const client = jsonClient(server.url, 1);
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const clientToken = async (credentials: typeof APP) =>
  (
    (await client.send('POST', '/oidc/token', 'grant_type=client_credentials', { ...form, authorization: basic(credentials) })).body as {
      access_token: string;
    }
  ).access_token;
const token = await clientToken(APP);
const admin = await clientToken(ADMIN);
const ok = (what: string, response: { status: number; body: unknown }, ...statuses: number[]) => {
  if (!(statuses.length ? statuses : [200]).includes(response.status))
    throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response;
};
ok(
  'provider',
  await client.request(
    'PUT',
    '/cis/v1/tenantsmsproviders',
    { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } },
    admin,
  ),
);
const connectionId = (ok('connections', await client.request('GET', '/api/v2/connections', undefined, admin)).body as { id: string }[])[0]!
  .id;
ok('connection', await client.request('PATCH', `/api/v2/connections/${connectionId}`, { enabled_clients: [APP.client_id] }, admin));
// the bench sends many codes to one number range, back to back: protection would (rightly) stop it
const protection = await client.request(
  'PUT',
  '/admin/v1/sms-protection',
  {
    limits: { phone: { cooldown_seconds: 0, max_sends: 1000 }, ip: { max_sends: 1_000_000 }, tenant: { max_sends: 1_000_000 } },
    pumping_guard: { mode: 'off' },
  },
  admin,
);
if (protection.status !== 200 && protection.status !== 404) ok('protection', protection);

let next = 0;
/** Fresh numbers for each route and kind, so no code, lockout or cooldown of one request touches another. */
const numbers = (count: number, prefix: string) => Array.from({ length: count }, () => `+1${prefix}${String(next++).padStart(4, '0')}`);
const total = PER_KIND + WARMUP;
const knownPhones = numbers(total * 6, '512555').reduce<string[][]>(
  (groups, phone, i) => ((groups[Math.floor(i / total)] ??= []).push(phone), groups),
  [],
);
const unknownPhones = numbers(total * 6, '512556').reduce<string[][]>(
  (groups, phone, i) => ((groups[Math.floor(i / total)] ??= []).push(phone), groups),
  [],
);
process.stderr.write(`creating ${knownPhones.flat().length} users...\n`);
for (const phone of knownPhones.flat()) ok('user', await client.request('POST', '/cis/v1/users', { phone_number: phone }, token), 200, 201);

interface Route {
  name: string;
  /** Runs before the timed request for that phone (e.g. a send, so a wrong code is a guess at a live one). */
  prepare?: (phone: string) => Promise<unknown>;
  request: (phone: string) => Promise<{ status: number; body: unknown }>;
  setup?: () => Promise<void>;
}

const cisSend = (phone: string) =>
  client.request('POST', '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
const auth0Start = (phone: string) =>
  client.send(
    'POST',
    '/passwordless/start',
    JSON.stringify({ client_id: APP.client_id, connection: 'sms', phone_number: phone, send: 'code' }),
    { 'content-type': 'application/json' },
  );
const gateway = await slowGateway();
const routes: Route[] = [
  { name: 'POST /cis/v1/auth/otp/send (Default provider)', request: cisSend },
  {
    name: 'POST /cis/v1/auth/otp/authenticate (wrong code)',
    prepare: cisSend,
    request: (phone) =>
      client.request(
        'POST',
        '/cis/v1/auth/otp/authenticate',
        { passcode: '000000', identifier_type: 'phone_number', identifier: phone },
        token,
      ),
  },
  {
    name: 'POST /cis/v1/auth/otp/sms (redirect login)',
    request: (phone) =>
      client.request('POST', '/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: 'https://enum.example/cb' }, token),
  },
  { name: 'POST /passwordless/start', request: auth0Start },
  {
    name: 'POST /oauth/token (wrong code)',
    prepare: auth0Start,
    request: (phone) =>
      client.send(
        'POST',
        '/oauth/token',
        new URLSearchParams({
          grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp',
          client_id: APP.client_id,
          username: phone,
          otp: '000000',
          realm: 'sms',
        }).toString(),
        form,
      ),
  },
  {
    name: `POST /cis/v1/auth/otp/send (a gateway with a ${GATEWAY_MS} ms round trip)`,
    request: cisSend,
    setup: async () =>
      void ok(
        'gateway',
        await client.request(
          'PUT',
          '/cis/v1/tenantsmsproviders',
          { provider: 'CustomGateway', custom_gateway: { uri: gateway.url, api_key: 'enum-gateway-key' } },
          admin,
        ),
      ),
  },
];

const verdicts: string[] = [];
for (const [index, route] of routes.entries()) {
  await route.setup?.();
  const order = [
    ...knownPhones[index]!.map((phone) => ({ phone, known: true })),
    ...unknownPhones[index]!.map((phone) => ({ phone, known: false })),
  ].sort(() => Math.random() - 0.5);
  if (route.prepare) for (const { phone } of order) await route.prepare(phone);
  const times = { known: [] as number[], unknown: [] as number[] };
  let seen = 0;
  for (const { phone, known } of order) {
    const started = performance.now();
    const response = await route.request(phone);
    const ms = performance.now() - started;
    if (response.status >= 500 && response.status !== 502)
      throw new Error(`${route.name}: ${response.status} ${JSON.stringify(response.body)}`);
    if (seen++ >= 2 * WARMUP) (known ? times.known : times.unknown).push(ms);
    await sleep(1); // one at a time, as an attacker timing answers would
  }
  const [k, u] = [summary(times.known), summary(times.unknown)];
  const p = probabilityGreater(times.known, times.unknown);
  console.log(
    `${route.name}: known p50 ${k.p50.toFixed(2)} ms p90 ${k.p90.toFixed(2)} ms (n=${times.known.length}); ` +
      `unknown p50 ${u.p50.toFixed(2)} ms p90 ${u.p90.toFixed(2)} ms (n=${times.unknown.length}); P(known slower) ${p.toFixed(3)}`,
  );
  verdicts.push(
    `enumeration ${route.name.split(' (')[0]!.replace(/ /g, '')}${route.name.includes('round trip') ? '+gateway' : ''} ratio=${p.toFixed(3)} target=0.4-0.6`,
  );
}
for (const line of verdicts) console.log(line);
gateway.close();
client.close();
await server.stop();
fs.rmSync(dir, { recursive: true, force: true });
