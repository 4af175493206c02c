import { asValue } from 'awilix';
import { expect } from 'chai';
import type { Clock } from '../../core/clock.js';
import type { Overrides } from '../../core/container.js';
import { startServer, type RunningServer } from '../../core/server.js';
import { OpenApiResponses } from './openApiResponses.js';
import { tempDir } from './tempDir.js';
import { testConfig } from './testConfig.js';

/** The demo tenant of the README, as the e2e tests use it. */
export const acme = {
  id: 'acme',
  name: 'Acme',
  applications: [
    {
      name: 'Acme web',
      client_id: 'acme-web',
      client_secret: 'acme-web-secret',
      role: 'app',
      redirect_uris: ['https://acme.example/verify'],
      public_signup: true,
      otp: { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 },
    },
    {
      name: 'Acme shop',
      client_id: 'acme-shop',
      client_secret: 'acme-shop-secret',
      role: 'app',
      redirect_uris: ['https://shop.acme.example/cb'],
    },
    { name: 'Acme admin', client_id: 'acme-admin', client_secret: 'acme-admin-secret', role: 'management' },
    /** A public client (a mobile app): no secret, identified by its client_id. */
    { name: 'Acme mobile', client_id: 'acme-mobile', role: 'app', token_endpoint_auth_method: 'none', public_signup: true },
  ],
};

/**
 * SMS protection for tests that are about something else: every rule still runs, none gets in the way of
 * a test that sends to one phone many times. Tests of protection itself pass `protection: 'defaults'`.
 */
export const RELAXED_PROTECTION = {
  limits: { phone: { cooldown_seconds: 0, max_sends: 100_000 }, ip: { max_sends: 10_000_000 }, tenant: { max_sends: 1_000_000_000 } },
  pumping_guard: { mode: 'off' },
};

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-11-22T10:00:00.000Z')): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

export interface TestServer {
  url: string;
  server: RunningServer;
  dir: string;
  clock: ReturnType<typeof manualClock> | undefined;
  close(): Promise<void>;
  post(path: string, body: unknown, token?: string): Promise<{ status: number; body: any }>;
  put(path: string, body: unknown, token?: string): Promise<{ status: number; body: any }>;
  patch(path: string, body: unknown, token?: string): Promise<{ status: number; body: any }>;
  get(path: string, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  clientToken(clientId?: string, secret?: string): Promise<string>;
  /** The newest SMS to a phone, from the dev outbox, and the code in it. */
  lastSms(phone: string): Promise<{ message: string; code: string; count: number }>;
}

/**
 * A real listening otpledger on 127.0.0.1 with the embedded store in a temp dir and the dev outbox on; `overrides`
 * replace registrations.
 */
export async function startOtpServer(
  options: {
    clock?: boolean;
    overlay?: Record<string, unknown>;
    dir?: string;
    overrides?: Overrides;
    protection?: 'relaxed' | 'defaults';
  } = {},
): Promise<TestServer> {
  const temp = options.dir ? { dir: options.dir, remove() {} } : tempDir();
  const clock = options.clock ? manualClock() : undefined;
  const sms = {
    ...(options.protection !== 'defaults' && { protectionDefaults: RELAXED_PROTECTION }),
    ...(options.overlay?.sms as object | undefined),
  };
  const server = await startServer({
    config: testConfig(temp.dir, { bootstrap: { tenants: [acme] }, dev: { outbox: true }, ...options.overlay, sms }),
    overrides: { ...(clock && { clock: asValue(clock) }), ...options.overrides },
  });
  const url = server.url;
  // every response is checked against the server's own OpenAPI document (status, media type, body schema)
  let described: Promise<OpenApiResponses> | undefined;
  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      redirect: 'manual',
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    const problem = (await (described ??= OpenApiResponses.of(url))).problem(
      method,
      path,
      response.status,
      response.headers.get('content-type'),
      parsed,
    );
    expect(problem, 'the response breaks the OpenAPI document (GET /openapi.json)').to.equal(undefined);
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const test: TestServer = {
    url,
    server,
    dir: temp.dir,
    clock,
    async close() {
      await server.close();
      temp.remove();
    },
    post: (path, body, token) => request('POST', path, body, token),
    put: (path, body, token) => request('PUT', path, body, token),
    patch: (path, body, token) => request('PATCH', path, body, token),
    get: (path, token) => request('GET', path, undefined, token),
    async clientToken(clientId = 'acme-web', secret = `${clientId}-secret`) {
      const response = await fetch(`${url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
      });
      const body = (await response.json()) as { access_token: string };
      expect(response.status, JSON.stringify(body)).to.equal(200);
      return body.access_token;
    },
    async lastSms(phone) {
      const { status, body } = await request('GET', `/dev/sms-outbox?phone_number=${encodeURIComponent(phone)}`);
      expect(status).to.equal(200);
      const messages = body as { message: string }[];
      const message = messages[0]?.message ?? '';
      return { message, code: /\d{4,10}/.exec(message)?.[0] ?? '', count: messages.length };
    },
  };
  return test;
}
