import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './benchSupport.js';
import type { Operation } from './cpuPerOperation.js';
import { jsonClient, type LoadClient } from './httpLoad.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

export const APP = { client_id: 'bench-app', client_secret: 'bench-secret-0123456789' };
export const ADMIN = { client_id: 'bench-admin', client_secret: 'bench-admin-secret-0123456789' };

/**
 * Cooldown 0 and caps no cycle reaches; the pumping guard on, with a floor the first wave cannot reach (50 workers
 * send to 50 numbers of one range before any code is verified: with the default floor of 30 the range was
 * quarantined and the cycles found no SMS; after that wave every code is verified, a healthy range).
 */
export const BENCH_PROTECTION = {
  limits: {
    phone: { cooldown_seconds: 0, max_sends: 100_000, window_minutes: 1 },
    tenant: { max_sends: 1_000_000_000, window_minutes: 1 },
  },
  pumping_guard: { floor: 100_000 },
};

export const basic = ({ client_id, client_secret }: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;

export interface OtpledgerUnderLoad {
  server: ServerProcess;
  client: LoadClient;
  /** `client_credentials` at `/oidc/token`, HTTP Basic. */
  token: Operation;
  /** A full OTP cycle for worker `n`'s own phone: send, read the code from the dev outbox, authenticate. */
  cycle: Operation;
  stop(): Promise<void>;
}

/** The bench server's config: the dev outbox on, one app and one management client, `overlay` merged in. */
export function benchConfig(dir: string, overlay: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'info' },
    dev: { outbox: true },
    bootstrap: {
      tenants: [
        {
          id: 'bench',
          name: 'Bench',
          applications: [
            {
              name: 'Bench app',
              ...APP,
              role: 'app',
              otp: { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 },
            },
            { name: 'Bench admin', ...ADMIN, role: 'management' },
          ],
        },
      ],
    },
    // cycles re-send to the same phones at once: SMS protection lets them through, every rule still evaluated
    sms: { protectionDefaults: BENCH_PROTECTION },
    ...overlay,
  };
}

/** A client's `client_credentials` token at `/oidc/token`, HTTP Basic. */
export async function clientToken(client: LoadClient, credentials: typeof APP): Promise<string> {
  const response = await client.send('POST', '/oidc/token', 'grant_type=client_credentials', {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: basic(credentials),
  });
  if (response.status !== 200) throw new Error(`/oidc/token: ${response.status} ${JSON.stringify(response.body)}`);
  return (response.body as { access_token: string }).access_token;
}

/**
 * The bench tenant made ready for cycles: the app's token, the Default provider with its evaluation rate cap lifted
 * (the bench measures the server, not that cap), and one phone number per worker (users not created yet).
 */
export async function prepareBenchTenant(client: LoadClient, workers: number): Promise<{ token: string; phones: string[] }> {
  const token = await clientToken(client, APP);
  const provider = await client.request(
    'PUT',
    '/cis/v1/tenantsmsproviders',
    { provider: 'Default', default: { rate_per_second: 10000, burst: 10000 } },
    await clientToken(client, ADMIN),
  );
  if (provider.status !== 200) throw new Error(`provider: ${provider.status} ${JSON.stringify(provider.body)}`);
  const phones = Array.from({ length: workers }, (_, i) => `+1512555${String(1000 + i).padStart(4, '0')}`);
  return { token, phones };
}

/**
 * A real otpledger process (`core/main.ts`) on the embedded store in a temp dir, with the dev outbox on, one
 * user per worker and the Default provider's evaluation rate cap lifted (the bench measures the server, not
 * that cap). `overlay` is merged into its config: a line measuring a feature's cost starts its own.
 */
export async function startOtpledger(workers: number, overlay: Record<string, unknown> = {}): Promise<OtpledgerUnderLoad> {
  const dir = tempDir('otp');
  const configFile = path.join(dir, 'bench-config.json');
  fs.writeFileSync(configFile, JSON.stringify(benchConfig(dir, overlay)));
  const server = await startServerProcess('core/main.ts', { OTPLEDGER_CONFIG: configFile, OTPLEDGER_LOG_LEVEL: 'info' });
  const client = jsonClient(server.url, workers);
  const expectOk = (what: string, response: { status: number; body: unknown }) => {
    if (response.status !== 200) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  const { token, phones } = await prepareBenchTenant(client, workers);
  for (const phone of phones) {
    const created = await client.request('POST', '/cis/v1/users', { phone_number: phone }, token);
    if (created.status !== 201) throw new Error(`user ${phone}: ${created.status} ${JSON.stringify(created.body)}`);
  }

  return {
    server,
    client,
    token: async () => {
      expectOk(
        '/oidc/token',
        await client.send('POST', '/oidc/token', 'grant_type=client_credentials', {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(APP),
        }),
      );
    },
    cycle: async (worker) => {
      const phone = phones[worker % phones.length]!;
      const sent = expectOk(
        'send',
        await client.request(
          'POST',
          '/cis/v1/auth/otp/send',
          { channel: 'sms', identifier_type: 'phone_number', identifier: phone },
          token,
        ),
      );
      const outbox = expectOk('outbox', await client.request('GET', `/dev/sms-outbox?phone_number=${encodeURIComponent(phone)}`));
      const [newest] = outbox.body as { message: string }[];
      if (!newest)
        throw new Error(`send to ${phone} answered ${JSON.stringify(sent.body)}, but its outbox is empty (held back by SMS protection?)`);
      const code = /\d{6}/.exec(newest.message)![0];
      expectOk(
        'authenticate',
        await client.request(
          'POST',
          '/cis/v1/auth/otp/authenticate',
          { passcode: code, identifier_type: 'phone_number', identifier: phone },
          token,
        ),
      );
    },
    async stop() {
      client.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
