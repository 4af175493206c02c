import { asValue } from 'awilix';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { routes } from '../../core/http/routes/index.js';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { captureLogger } from '../support/captureLogger.js';
import { sendBurst, sendRawFrames } from '../support/httpBurst.js';
import {
  malformedFrames,
  malformedRequests,
  oddAuthorizations,
  type Credentials,
  type MountedRoute,
} from '../support/malformedRequests.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

describe('bad input on every route: a 4xx with a clear message, never a 5xx or a dropped connection', function () {
  this.timeout(120_000);
  let t: TestServer;
  // what matters is that nothing is logged as a failure: warn and above
  const log = captureLogger('warn');
  const thorough: Credentials = {};
  const other: Credentials = { none: undefined, ...oddAuthorizations };

  /** A token signed with the server's own key (so it passes the signature check) carrying `claims`. */
  async function forged(claims: Record<string, unknown>, typ = 'at+jwt'): Promise<string> {
    const { secrets, issuer } = t.server.container.cradle;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: issuer,
      aud: issuer,
      iat: now,
      exp: now + 600,
      jti: 'forged',
      sub: 'acme-admin',
      client_id: 'acme-admin',
      tenant_id: 'acme',
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: secrets.signingKey.kid, typ })
      .sign(secrets.signingKey.privateKey);
  }

  before(async () => {
    t = await startOtpServer({ overlay: acmeWithAuditor, overrides: { logger: asValue(log.logger) } });
    thorough.app = `Bearer ${await t.clientToken()}`;
    thorough.management = `Bearer ${await t.clientToken('acme-admin')}`;
    other.auditor = `Bearer ${await t.clientToken('acme-audit')}`;
    other.tenantObject = `Bearer ${await forged({ token_use: 'client', role: 'management', tenant_id: { $ne: null } })}`;
    other.tenantArray = `Bearer ${await forged({ token_use: 'client', role: 'auditor', tenant_id: ['acme', 'other'] })}`;
    other.roleRoot = `Bearer ${await forged({ token_use: 'client', role: 'root' })}`;
    other.clientObject = `Bearer ${await forged({ token_use: 'client', role: 'management', client_id: { toString: 1 } })}`;
    other.userSidObject = `Bearer ${await forged({ token_use: 'user', sid: { a: 1 }, sub: 42 })}`;
    other.refreshAsAccess = `Bearer ${await forged({ token_use: 'refresh', sid: 's' })}`;
  });
  after(() => t.close());

  /** Every route the server mounts, HEAD included, read from the routers themselves, so a new route is covered too. */
  function mountedRoutes(): MountedRoute[] {
    const found: MountedRoute[] = [];
    for (const factory of routes) {
      for (const layer of factory(t.server.container.cradle).stack) {
        const path = String(layer.path);
        for (const method of layer.methods) found.push({ method, path, thorough: method !== 'HEAD' });
        // a method the route does not serve: 405, never a 5xx
        if (!layer.methods.includes('DELETE')) found.push({ method: 'DELETE', path, thorough: false });
      }
    }
    return found;
  }

  it('covers the API', () => {
    const paths = mountedRoutes().map((r) => `${r.method} ${r.path}`);
    for (const path of [
      'POST /cis/v1/auth/otp/send',
      'POST /oidc/token',
      'PUT /cis/v1/tenantsmsproviders',
      'POST /passwordless/start',
      'PATCH /api/v2/connections/:id',
      'HEAD /admin/v1/users/:user_id',
    ]) {
      expect(paths).to.include(path);
    }
  });

  it('answers more than 10,000 malformed requests and raw frames over every route: 0 x 5xx, 0 dropped, an error message in every 4xx, no error logged', async () => {
    const requests = malformedRequests(mountedRoutes(), thorough, other);
    const logged = log.lines.length;
    const frames = malformedFrames(mountedRoutes());
    const cpu = process.cpuUsage();
    const results = await sendBurst(t.url, requests, { concurrency: 16 });
    // frames node's parser refuses, on raw connections: answered like the rest (status line, or dropped)
    const raw = await sendRawFrames(t.server.port, frames, { concurrency: 16 });
    for (const frame of raw) {
      results.push({
        request: { method: 'RAW', path: '', headers: {}, label: frame.label },
        body: frame.answer.replace(/^[\s\S]*?\r\n\r\n/, ''),
        ms: 0,
        ...(frame.status === undefined ? { dropped: 'no answer' } : { status: frame.status }),
      });
    }
    const { user, system } = process.cpuUsage(cpu);
    const serverErrors = results.filter((r) => r.status !== undefined && r.status >= 500);
    const dropped = results.filter((r) => r.dropped !== undefined);
    const silent = results.filter(
      (r) => r.status !== undefined && r.status >= 400 && !/^(HEAD|RAW)$/.test(r.request.method) && !/"(error|message)"/.test(r.body),
    );
    const show = (list: typeof results) =>
      list
        .slice(0, 20)
        .map((r) => `${r.request.label}: ${r.status ?? r.dropped} ${r.body.slice(0, 200)}`)
        .join('\n');
    const routeCount = new Set(requests.map((r) => r.label.split(' as ')[0])).size;
    const cpuMs = (user + system) / 1000 / results.length;
    console.log(
      `      fuzz: ${results.length} requests (${raw.length} of them raw malformed frames) over ${routeCount} routes, ${serverErrors.length} x 5xx, ${dropped.length} dropped (${cpuMs.toFixed(2)} ms CPU per request, client and server)`,
    );

    expect(requests.length).to.be.at.least(10_000);
    expect(
      raw
        .filter((frame) => frame.status !== undefined && (frame.status < 400 || frame.status >= 500))
        .map((frame) => `${frame.label}: ${frame.status}`),
    ).to.deep.equal([]);
    expect(serverErrors, show(serverErrors)).to.have.length(0);
    expect(dropped, show(dropped)).to.have.length(0);
    expect(silent, show(silent)).to.have.length(0);
    // a client's mistake is no server error: nothing at warn or above, no stack anywhere
    const loud = log.lines.slice(logged).filter((line) => line.level >= 40 || line.err?.stack !== undefined);
    expect(loud.map((line) => `${line.msg} ${line.err?.message ?? ''}`)).to.deep.equal([]);
  });
});
