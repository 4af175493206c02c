import { expect } from 'chai';
import { routes } from '../../core/http/routes/index.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

/** Bodies no route accepts: wrong JSON types everywhere, unknown keys, nesting where strings belong. */
const badBodies: unknown[] = [
  [],
  'text',
  123,
  null,
  { unexpected: { deep: [1, 2, 3] } },
  {
    phone_number: 5, passcode: null, identifier: {}, identifier_type: ['x'], channel: 7, options: 'x', client_id: [],
    grant_type: 7, provider: {}, redirect_uri: 1, connection: [], username: {}, otp: [], name: false, otp_policy: 'x',
  },
];

describe('bad input on every route: a 4xx with a clear message, never a 5xx', function () {
  this.timeout(60_000);
  let t: TestServer;
  const tokens: Record<string, string | undefined> = {};

  before(async () => {
    t = await startOtpServer();
    tokens.none = undefined;
    tokens.app = await t.clientToken();
    tokens.management = await t.clientToken('acme-admin');
  });
  after(() => t.close());

  /** Every route the server mounts, read from the routers themselves, so a new route is covered too. */
  function mountedRoutes(): { method: string; path: string }[] {
    const found: { method: string; path: string }[] = [];
    for (const factory of routes) {
      for (const layer of factory(t.server.container.cradle).stack) {
        for (const method of layer.methods) if (method !== 'HEAD') found.push({ method, path: String(layer.path).replace(/:\w+/g, 'nope') });
      }
    }
    return found;
  }

  it('covers the API', () => {
    const paths = mountedRoutes().map((r) => r.path);
    for (const path of ['/cis/v1/auth/otp/send', '/oidc/token', '/cis/v1/tenantsmsproviders', '/passwordless/start', '/api/v2/connections/nope']) {
      expect(paths).to.include(path);
    }
  });

  it('answers 4xx to wrong bodies and odd queries, with or without tokens', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const { method, path } of mountedRoutes()) {
      for (const [who, token] of Object.entries(tokens)) {
        const attempts = ['POST', 'PUT', 'PATCH'].includes(method) ? badBodies : [undefined];
        for (const body of attempts) {
          const response = await fetch(`${t.url}${path}?at=yesterday&kind=%00&id=&cursor=-1&phone_number=abc&types=%2C&format=xml`, {
            method,
            redirect: 'manual',
            headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
            ...(body !== undefined && { body: JSON.stringify(body) }),
          });
          const text = await response.text();
          sent += 1;
          if (response.status >= 500) failures.push(`${method} ${path} as ${who} with ${JSON.stringify(body)}: ${response.status} ${text}`);
          if (response.status >= 400 && !/"(error|message)"/.test(text)) failures.push(`${method} ${path} as ${who}: ${response.status} without an error message: ${text}`);
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(sent).to.be.greaterThan(300);
  });
});
