import { asFunction, asValue } from 'awilix';
import { defaultOtpSettings, type ApplicationSettings } from '../../core/applications/applicationEvents.js';
import type { Clock } from '../../core/clock.js';
import type { Cradle } from '../../core/cradle.js';
import { createApp } from '../../core/http/app.js';
import { healthRoutes } from '../../core/http/routes/health.js';
import { oidcRoutes } from '../../core/http/routes/oauth/oidc.js';
import type { RouteFactory } from '../../core/http/types.js';
import { startServer, type RunningServer } from '../../core/server.js';
import { tempDir } from './tempDir.js';
import { testConfig } from './testConfig.js';

export const tenantId = 'acme';
export const redirectUri = 'https://acme.example/verify';

/** The applications every OIDC test finds registered; each secret is `<client_id>-secret`. */
export const clients = {
  /** Redirect login with public sign-up. */
  web: { clientId: 'acme-web', role: 'app', public_signup: true },
  /** Redirect login, known users only. */
  closed: { clientId: 'acme-closed', role: 'app', public_signup: false },
  admin: { clientId: 'acme-admin', role: 'management', public_signup: false },
  /** A public client (`token_endpoint_auth_method: "none"`): no secret. */
  mobile: { clientId: 'acme-mobile', role: 'app', public_signup: true, token_endpoint_auth_method: 'none' },
  /** Asks for RS256 id_tokens (`id_token_signed_response_alg`). */
  rs256: { clientId: 'acme-rs256', role: 'app', public_signup: true, id_token_signed_response_alg: 'RS256' },
} as const;

/** A tenant of its own, with one confidential app: what the OIDC tests call "another tenant". */
export const otherTenant = { tenantId: 'globex', clientId: 'globex-web' } as const;
export const secretOf = (clientId: string) => `${clientId}-secret`;

/** Time the test moves; starts at the real now so nothing else is surprised. */
export interface TestClock extends Clock {
  advance(seconds: number): void;
}

function testClock(): TestClock {
  let offsetMs = 0;
  return { now: () => new Date(Date.now() + offsetMs), advance: (seconds) => void (offsetMs += seconds * 1000) };
}

export interface Response {
  status: number;
  headers: Headers;
  body: any;
}

export interface OidcServer {
  url: string;
  cradle: Cradle;
  clock: TestClock;
  /** POST /oidc/token as a form; `basic` sends the client credentials as HTTP Basic instead. */
  token(form: Record<string, string>, options?: { basic?: [string, string]; json?: boolean }): Promise<Response>;
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1 with its own SQLite file and clock, the OIDC routes mounted, plus `extraRoutes`,
 * and the applications of `clients` registered.
 */
export async function startOidcServer(
  options: { oidc?: Record<string, number>; issuer?: string; extraRoutes?: RouteFactory[] } = {},
): Promise<OidcServer> {
  const temp = tempDir();
  const clock = testClock();
  // only the routes under test: the rest of the API is not this suite's business
  const routes: RouteFactory[] = [healthRoutes, oidcRoutes, ...(options.extraRoutes ?? [])];
  const server: RunningServer = await startServer({
    config: testConfig(temp.dir, { oidc: { ...options.oidc, ...(options.issuer && { issuer: options.issuer }) } }),
    overrides: {
      clock: asValue(clock),
      app: asFunction((cradle: Cradle) => createApp(cradle, { routes })).singleton(),
    },
  });
  const { cradle } = server.container;
  const metadata = { actor: 'test', tenantId };
  await cradle.applications.ensureTenant(tenantId, 'Acme', metadata);
  for (const client of Object.values(clients)) {
    const { clientId, role, public_signup } = client;
    const isPublic = 'token_endpoint_auth_method' in client;
    const settings: ApplicationSettings = {
      name: clientId,
      role,
      redirect_uris: [redirectUri],
      public_signup,
      otp: defaultOtpSettings,
      token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
      ...('id_token_signed_response_alg' in client && { id_token_signed_response_alg: client.id_token_signed_response_alg }),
    };
    await cradle.applications.ensure(tenantId, clientId, isPublic ? undefined : secretOf(clientId), settings, metadata);
  }
  await cradle.applications.ensureTenant(otherTenant.tenantId, 'Globex', { actor: 'test', tenantId: otherTenant.tenantId });
  await cradle.applications.ensure(
    otherTenant.tenantId,
    otherTenant.clientId,
    secretOf(otherTenant.clientId),
    {
      name: otherTenant.clientId,
      role: 'app',
      redirect_uris: [redirectUri],
      public_signup: true,
      otp: defaultOtpSettings,
    },
    { actor: 'test', tenantId: otherTenant.tenantId },
  );

  const request = async (path: string, init?: RequestInit): Promise<Response> => {
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  return {
    url: server.url,
    cradle,
    clock,
    request,
    token: (form, { basic, json } = {}) =>
      request('/oidc/token', {
        method: 'POST',
        headers: {
          'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
          ...(basic && { Authorization: basicAuth(...basic) }),
        },
        body: json ? JSON.stringify(form) : new URLSearchParams(form).toString(),
      }),
    close: async () => {
      await server.close();
      temp.remove();
    },
  };
}

/** RFC 6749 §2.3.1: each part form-urlencoded, then base64. */
export function basicAuth(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

let signInSeq = 0;

/**
 * A session of a new user of `clientId` (tenant acme unless given), started the way the OTP logins start one,
 * with `scope` (every scope when not given): its tokens and the user's id and phone.
 */
export async function signIn(server: OidcServer, options: { clientId?: string; tenant?: string; scope?: string; verified?: boolean } = {}) {
  const { clientId = clients.web.clientId, tenant = tenantId, scope, verified = true } = options;
  const { cradle } = server;
  const phoneNumber = `+1415556${String(signInSeq++).padStart(4, '0')}`;
  const { user } = await cradle.users.createOrAddToApp(tenant, clientId, { phoneNumber }, {});
  const current = verified ? await cradle.users.verifyPhone(tenant, user.userId, phoneNumber, 'login', {}) : user;
  const app = (await cradle.applications.get(clientId))!;
  const tokens = await cradle.tokens.startSession({
    app,
    user: current,
    amr: ['otp', 'sms'],
    ...(scope !== undefined && { scope }),
    metadata: {},
  });
  return { ...tokens, userId: user.userId, phoneNumber };
}

/** The form fields of a client authenticating in the body. */
export const clientForm = (clientId: string) => ({ client_id: clientId, client_secret: secretOf(clientId) });
