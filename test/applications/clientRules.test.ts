import { asValue } from 'awilix';
import { expect } from 'chai';
import { ConfigError } from '../../core/config/configError.js';
import { loadConfig } from '../../core/config/loadConfig.js';
import { startServer } from '../../core/server.js';
import { captureLogger } from '../support/captureLogger.js';
import { acme, startOtpServer, type TestServer } from '../support/otpServer.js';
import { tempDir, writeJson } from '../support/tempDir.js';
import { testConfig } from '../support/testConfig.js';

const other = {
  id: 'globex',
  name: 'Globex',
  applications: [{ name: 'Globex admin', client_id: 'globex-admin', client_secret: 'globex-admin-secret', role: 'management' }],
};

describe('client rules: public clients, redirect URIs, client_id clashes', () => {
  let t: TestServer;
  let acmeAdmin: string;
  let globexAdmin: string;
  before(async () => {
    t = await startOtpServer({ overlay: { bootstrap: { tenants: [acme, other] } } });
    acmeAdmin = await t.clientToken('acme-admin');
    globexAdmin = await t.clientToken('globex-admin');
  });
  after(() => t.close());

  it('registers a public client without a secret; it gets no client_credentials token and no secret rotation', async () => {
    const created = await t.post(
      '/admin/v1/applications',
      { name: 'Kiosk', client_id: 'acme-kiosk', token_endpoint_auth_method: 'none' },
      acmeAdmin,
    );
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.result).to.include({ client_id: 'acme-kiosk', token_endpoint_auth_method: 'none', role: 'app' });
    expect(created.body.result).to.not.have.property('client_secret');
    const confidential = await t.post('/admin/v1/applications', { name: 'Backend', client_id: 'acme-backend' }, acmeAdmin);
    expect(confidential.body.result).to.include({ token_endpoint_auth_method: 'client_secret_basic' });
    expect(confidential.body.result.client_secret).to.be.a('string');

    const token = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'acme-kiosk' }),
    });
    expect(token.status).to.equal(400);
    expect(await token.json()).to.deep.equal({
      error: 'unauthorized_client',
      error_description: 'a public client cannot use client_credentials',
    });

    const rotate = await t.post('/admin/v1/applications/acme-kiosk/secret', {}, acmeAdmin);
    expect(rotate.status).to.equal(400);
    expect(rotate.body.error_description).to.equal('a public client has no client secret to rotate');
    const change = await t.patch('/admin/v1/applications/acme-backend', { token_endpoint_auth_method: 'none' }, acmeAdmin);
    expect(change.status).to.equal(400);
  });

  it('takes id_token_signed_response_alg (ES256 or RS256) on create and update; anything else is 400 naming the field', async () => {
    const created = await t.post(
      '/admin/v1/applications',
      { name: 'RS app', client_id: 'acme-rs', id_token_signed_response_alg: 'RS256' },
      acmeAdmin,
    );
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.result).to.include({ id_token_signed_response_alg: 'RS256' });
    const refused = await t.post(
      '/admin/v1/applications',
      { name: 'HS app', client_id: 'acme-hs', id_token_signed_response_alg: 'HS256' },
      acmeAdmin,
    );
    expect(refused.status).to.equal(400);
    expect(refused.body.error_description).to.include('/id_token_signed_response_alg');
    expect((await t.patch('/admin/v1/applications/acme-rs', { id_token_signed_response_alg: 'none' }, acmeAdmin)).status).to.equal(400);
    const changed = await t.patch('/admin/v1/applications/acme-rs', { id_token_signed_response_alg: 'ES256' }, acmeAdmin);
    expect(changed.status).to.equal(200);
    expect(changed.body.result).to.include({ id_token_signed_response_alg: 'ES256' });
  });

  it('refuses an application name holding a control character (a line break, an escape), on create and update', async () => {
    const broken = await t.post('/admin/v1/applications', { name: 'Acme\r\nInjected: yes', client_id: 'acme-crlf' }, acmeAdmin);
    expect(broken.status).to.equal(400);
    expect(broken.body.error_description).to.include('/name must not contain control characters');
    expect((await t.post('/admin/v1/applications', { name: 'Acme \u001b[31mred', client_id: 'acme-esc' }, acmeAdmin)).status).to.equal(400);
    const created = await t.post('/admin/v1/applications', { name: 'Acme — Café (web) 🚀', client_id: 'acme-named' }, acmeAdmin);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const patched = await t.patch('/admin/v1/applications/acme-named', { name: 'Tab\there' }, acmeAdmin);
    expect(patched.status).to.equal(400);
    expect(patched.body.error_description).to.include('/name must not contain control characters');
    expect((await t.patch('/admin/v1/applications/acme-named', { name: 'Renamed' }, acmeAdmin)).status).to.equal(200);
  });

  it('refuses a public client of another role than app', async () => {
    const refused = await t.post(
      '/admin/v1/applications',
      { name: 'Bad', client_id: 'acme-bad', role: 'management', token_endpoint_auth_method: 'none' },
      acmeAdmin,
    );
    expect(refused.status).to.equal(400);
    expect(refused.body.error_description).to.equal('a public client (token_endpoint_auth_method "none") must have role "app"');
  });

  it('accepts only https: redirect URIs (http: for loopback hosts), without fragments or credentials, on create and update', async () => {
    const ok = await t.post(
      '/admin/v1/applications',
      {
        name: 'Native',
        client_id: 'acme-native',
        redirect_uris: ['https://acme.example/cb', 'http://127.0.0.1:8765/cb', 'http://localhost/cb', 'http://[::1]:9/cb'],
      },
      acmeAdmin,
    );
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    const bad = [
      'javascript:alert(1)',
      'http://acme.example/cb',
      'https://acme.example/cb#frag',
      'https://user:pw@acme.example/cb',
      'data:text/html,x',
      'file:///etc/passwd',
      'http://127.0.0.1.evil.example/cb',
    ];
    for (const uri of bad) {
      const created = await t.post('/admin/v1/applications', { name: 'X', redirect_uris: ['https://acme.example/ok', uri] }, acmeAdmin);
      expect(created.status, uri).to.equal(400);
      expect(created.body.error_description, uri).to.match(/^\/redirect_uris\/1 must /);
      const updated = await t.patch('/admin/v1/applications/acme-native', { redirect_uris: [uri] }, acmeAdmin);
      expect(updated.status, uri).to.equal(400);
    }
  });

  it('answers a taken client_id 409 "client_id is not available", the same for this tenant\'s ids and another\'s', async () => {
    const mine = await t.post('/admin/v1/applications', { name: 'Dup', client_id: 'acme-web' }, acmeAdmin);
    const theirs = await t.post('/admin/v1/applications', { name: 'Dup', client_id: 'acme-web' }, globexAdmin);
    for (const answer of [mine, theirs]) {
      expect(answer.status).to.equal(409);
      expect(answer.body).to.deep.equal({ error: 'client_id_taken', error_description: 'client_id is not available' });
    }
    // and another tenant's application stays invisible to it
    expect((await t.get('/admin/v1/applications/acme-web', globexAdmin)).status).to.equal(404);
  });
});

describe('bootstrap client rules', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  /** Loading a config file that bootstraps `tenants`. */
  const loadingBootstrap = (tenants: unknown[]) => {
    const file = writeJson(temp.dir, 'c.json', { dataDir: temp.dir, bootstrap: { tenants } });
    return () => loadConfig({ env: { OTPLEDGER_CONFIG: file } });
  };

  it('refuses a public client with a secret, a confidential one without, a public non-app and bad redirect URIs, naming each', () => {
    const load = loadingBootstrap([
      {
        id: 'acme',
        name: 'Acme',
        applications: [
          { name: 'A', client_id: 'a1', client_secret: 's', token_endpoint_auth_method: 'none' },
          { name: 'B', client_id: 'b1' },
          { name: 'C', client_id: 'c1', role: 'auditor', token_endpoint_auth_method: 'none' },
          { name: 'D', client_id: 'd1', client_secret: 's', redirect_uris: ['javascript:alert(1)'] },
        ],
      },
    ]);
    expect(load).to.throw(
      ConfigError,
      [
        '/bootstrap/tenants/0/applications/0/client_secret must not be set: a public client (token_endpoint_auth_method "none") has no secret',
        '/bootstrap/tenants/0/applications/1/client_secret is required (or token_endpoint_auth_method "none" for a public client)',
        '/bootstrap/tenants/0/applications/2/role must be "app" for a public client',
        '/bootstrap/tenants/0/applications/3/redirect_uris/0 must use https: (http: only for a loopback host: localhost, 127.0.0.0/8, [::1])',
      ].join('; '),
    );
  });

  it('refuses a bootstrap tenant or application name holding a control character, naming the field', () => {
    const load = loadingBootstrap([
      { id: 'acme', name: 'Acme\u001b', applications: [{ name: 'Web\nApp', client_id: 'w1', client_secret: 's' }] },
    ]);
    expect(load)
      .to.throw(ConfigError)
      .with.property('message')
      .that.includes('/bootstrap/tenants/0/name must not contain control characters')
      .and.includes('/bootstrap/tenants/0/applications/0/name must not contain control characters');
  });

  it('skips an application whose client_id another tenant holds, without stopping or naming that tenant', async () => {
    const { logger, lines } = captureLogger();
    const first = { id: 'acme', name: 'Acme', applications: [{ name: 'Web', client_id: 'shared-id', client_secret: 'acme-secret-1' }] };
    const globex = {
      id: 'globex',
      name: 'Globex',
      applications: [
        { name: 'Web', client_id: 'shared-id', client_secret: 'globex-secret-1' },
        { name: 'Own', client_id: 'globex-own', client_secret: 'globex-secret-2' },
      ],
    };
    const server = await startServer({
      config: testConfig(temp.dir, { bootstrap: { tenants: [first, globex] } }),
      overrides: { logger: asValue(logger) },
    });
    try {
      const { applications } = server.container.cradle;
      expect(await applications.get('shared-id')).to.include({ tenantId: 'acme', name: 'Web' });
      expect(await applications.authenticate('shared-id', 'acme-secret-1')).to.not.equal(undefined);
      expect(await applications.authenticate('shared-id', 'globex-secret-1')).to.equal(undefined);
      expect(await applications.get('globex-own')).to.include({ tenantId: 'globex' });
      const skipped = lines.find((line) => line.level === 50)!;
      expect(skipped).to.include({ tenant: 'globex', client_id: 'shared-id' });
      expect(skipped.msg).to.match(/^bootstrap application skipped: client_id is not available/);
      expect(JSON.stringify(skipped)).to.not.include('acme');
    } finally {
      await server.close();
    }
  });
});
