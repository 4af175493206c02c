import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAuth0Gateway, type Auth0Gateway } from '../../../plugins/sms-gateway/auth0Gateway.js';
import { call } from '../../../support/auth0Client.js';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

const SID = `AC${'1'.repeat(32)}`;
const SECRET = 'MySecretToSignTheToken';

/** Twilio's FetchAccount, which the Twilio plugin's validate() calls when the Mosaic API configures it. */
async function fakeTwilio(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: SID, status: 'active' })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('Auth0 dialect: the sms connection through /api/v2/connections, and the Mosaic provider API sees the same settings', function () {
  this.timeout(30_000);
  let t: TestServer;
  let admin: string;
  let gateway: Auth0Gateway;
  let id: string;

  beforeEach(async () => {
    t = await startOtpServer();
    admin = await t.clientToken('acme-admin');
    gateway = await startAuth0Gateway();
    id = (await t.get('/api/v2/connections', admin)).body[0].id;
  });
  afterEach(async () => {
    await gateway.close();
    await t.close();
  });

  const patch = (body: unknown) => call(t.url, 'PATCH', `/api/v2/connections/${id}`, body, { token: admin });
  const gatewayOptions = (extra: Record<string, unknown> = {}) => ({
    provider: 'sms_gateway',
    gateway_url: gateway.url,
    from: '+1 234 567',
    forward_req_info: 'true',
    gateway_authentication: {
      method: 'bearer',
      subject: 'urn:Auth0',
      audience: 'urn:MySmsGateway',
      secret: SECRET,
      secret_base64_encoded: false,
    },
    ...extra,
  });

  it('lists one sms connection with a stable con_ id and Auth0 defaults, found by strategy, and by id', async () => {
    expect(id).to.match(/^con_[A-Za-z0-9]{16}$/);
    const listed = await t.get('/api/v2/connections?strategy=sms', admin);
    expect(listed.body).to.deep.equal([
      {
        id,
        strategy: 'sms',
        name: 'sms',
        is_domain_connection: false,
        realms: ['sms'],
        enabled_clients: [],
        options: {
          from: null,
          template: 'Your verification code is: @@password@@',
          syntax: 'md_with_macros',
          totp: { time_step: 300, length: 6 },
          brute_force_protection: true,
          disable_signup: false,
          forward_req_info: false,
          name: 'sms',
        },
      },
    ]);
    expect((await t.get('/api/v2/connections?strategy=auth0', admin)).body).to.deep.equal([]);
    expect((await t.get(`/api/v2/connections/${id}`, admin)).body).to.deep.equal(listed.body[0]);
    expect((await t.get('/api/v2/connections', await t.clientToken('acme-web'))).status).to.equal(403);
  });

  it('pages as the Management API does: include_totals, page/per_page, checkpoint take/from, repeated strategy, fields', async () => {
    const list = async (query: string) => (await t.get(`/api/v2/connections?${query}`, admin)).body;
    const [connection] = await list('');
    expect(await list('include_totals=true')).to.deep.equal({ connections: [connection], start: 0, limit: 50, total: 1 });
    expect(await list('include_totals=true&page=1&per_page=1')).to.deep.equal({ connections: [], start: 1, limit: 1, total: 1 });
    expect(await list('page=0&per_page=1')).to.deep.equal([connection]);
    expect(await list('take=1')).to.deep.equal({ connections: [connection] });
    expect(await list('include_totals=true&take=50')).to.deep.equal({ connections: [connection] });
    expect(await list(`from=${id}&take=5`)).to.deep.equal({ connections: [connection] });
    expect(await list('from=con_zzzzzzzzzzzzzzzz&take=5')).to.deep.equal({ connections: [] });
    expect(await list('strategy=auth0&strategy=sms')).to.deep.equal([connection]);
    expect(await list('strategy=auth0&strategy=google-oauth2')).to.deep.equal([]);
    expect(await list('fields=id,strategy')).to.deep.equal([{ id, strategy: 'sms' }]);
    expect(Object.keys((await list('fields=options,enabled_clients&include_fields=false'))[0])).to.have.members([
      'id',
      'strategy',
      'name',
      'is_domain_connection',
      'realms',
    ]);
    const bad = await t.get('/api/v2/connections?per_page=1000&include_totals=yes', admin);
    expect(bad.status).to.equal(400);
    expect(bad.body).to.deep.equal({
      statusCode: 400,
      error: 'Bad Request',
      errorCode: 'invalid_query_string',
      message: 'Query validation error: per_page must be an integer from 1 to 100; include_totals must be true or false',
    });
    const refused = async (query: string) => (await t.get(`/api/v2/connections?${query}`, admin)).body;
    expect(await refused('page=-1&take=0')).to.deep.include({
      errorCode: 'invalid_query_string',
      message: 'Query validation error: page must be an integer from 0 to 100000; take must be an integer from 1 to 100',
    });
    expect((await refused('name=a&name=b&include_fields=1')).message).to.equal(
      'Query validation error: name must be given once; include_fields must be true or false',
    );
  });

  it("refuses a user-blocks query without one identifier in Auth0's words; a number that is no phone is invalid_phone_number", async () => {
    expect((await t.get('/api/v2/user-blocks', admin)).body).to.deep.equal({
      statusCode: 400,
      error: 'Bad Request',
      errorCode: 'invalid_query_string',
      message: 'Query validation error: identifier is required',
    });
    const twice = await call(t.url, 'DELETE', '/api/v2/user-blocks?identifier=%2B15125550101&identifier=%2B15125550102', undefined, {
      token: admin,
    });
    expect(twice.status).to.equal(400);
    expect(twice.body).to.include({ errorCode: 'invalid_query_string', message: 'Query validation error: identifier must be given once' });
    expect((await t.get('/api/v2/user-blocks?identifier=12', admin)).body).to.include({
      statusCode: 400,
      errorCode: 'invalid_phone_number',
    });
  });

  it('a PATCH (the seed payload) shows through GET /cis/v1/tenantsmsproviders, secret masked, events in the tenant SMS stream', async () => {
    const answer = await patch({
      options: {
        strategy: 'sms',
        ...gatewayOptions(),
        template: 'Code: @@password@@',
        disable_signup: true,
        name: 'sms',
        syntax: 'md_with_macros',
        totp: { time_step: 120, length: 8 },
      },
      is_domain_connection: false,
      enabled_clients: ['acme-web'],
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body.options).to.deep.include({
      provider: 'sms_gateway',
      gateway_url: gateway.url,
      from: '+1 234 567',
      forward_req_info: true,
      disable_signup: true,
      template: 'Code: @@password@@',
      totp: { time_step: 120, length: 8 },
    });
    expect(answer.body.options.gateway_authentication.secret).to.equal('****oken');
    expect(answer.body.enabled_clients).to.deep.equal(['acme-web']);

    const mosaic = await t.get('/cis/v1/tenantsmsproviders', admin);
    expect(mosaic.body).to.deep.equal({
      provider: 'sms_gateway',
      sms_gateway: {
        gateway_url: gateway.url,
        from: '+1 234 567',
        forward_req_info: true,
        gateway_authentication: {
          method: 'bearer',
          subject: 'urn:Auth0',
          audience: 'urn:MySmsGateway',
          secret: '****oken',
          secret_base64_encoded: false,
        },
      },
      fallback: [],
    });
    const types: string[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['tenantsms-acme'] } }))
      types.push(event.type);
    expect(types).to.deep.equal(['ProviderConfigured', 'PasswordlessConnectionConfigured']);
    expect(JSON.stringify(await t.get(`/api/v2/connections/${id}`, admin))).not.to.contain(SECRET);

    // the masked secret sent back keeps the stored one: nothing changes, nothing is recorded
    await patch({ options: { ...answer.body.options }, enabled_clients: ['acme-web'] });
    types.length = 0;
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['tenantsms-acme'] } }))
      types.push(event.type);
    expect(types).to.have.length(2);
  });

  it('a Mosaic PUT (sms_gateway, then Twilio) shows through GET /api/v2/connections', async () => {
    await t.put(
      '/cis/v1/tenantsmsproviders',
      { provider: 'sms_gateway', sms_gateway: { gateway_url: gateway.url, from: 'Acme', forward_req_info: true } },
      admin,
    );
    expect((await t.get(`/api/v2/connections/${id}`, admin)).body.options).to.deep.include({
      provider: 'sms_gateway',
      gateway_url: gateway.url,
      from: 'Acme',
      forward_req_info: true,
    });

    const twilio = await fakeTwilio();
    try {
      const put = await t.put(
        '/cis/v1/tenantsmsproviders',
        {
          provider: 'Twilio',
          twilio: { account_sid: SID, auth_token: 'twilio-auth-token-1234', from: '+15555555555', api_base_url: twilio.url },
        },
        admin,
      );
      expect(put.status, JSON.stringify(put.body)).to.equal(200);
    } finally {
      twilio.server.close();
    }
    const { options } = (await t.get('/api/v2/connections', admin)).body[0];
    expect(options).to.deep.include({ twilio_sid: SID, twilio_token: '****1234', from: '+15555555555', messaging_service_sid: null });
    expect(options).not.to.have.property('provider'); // as the seed's GET shows a Twilio connection
  });

  it('validates as Auth0 documents, naming the field, in Auth0’s error shape', async () => {
    const refused = async (options: Record<string, unknown>, field: string) => {
      const answer = await patch({ options });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
      expect(answer.body).to.include({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_body' });
      expect(answer.body.message).to.contain(field);
    };
    const auth = gatewayOptions().gateway_authentication;
    await refused(
      gatewayOptions({ gateway_authentication: { ...auth, subject: 's'.repeat(65) } }),
      '/options/gateway_authentication/subject',
    );
    await refused(
      gatewayOptions({ gateway_authentication: { ...auth, audience: 'a'.repeat(129) } }),
      '/options/gateway_authentication/audience',
    );
    await refused(
      gatewayOptions({ gateway_authentication: { ...auth, secret: 'x'.repeat(5121) } }),
      '/options/gateway_authentication/secret',
    );
    await refused(gatewayOptions({ template: 'Your code is {{ code }}' }), '/options/template must contain @@password@@');
    await refused(
      gatewayOptions({ template: 'Code @@password@@\u0000\u001b[2J' }),
      '/options/template must not contain control characters other than tab and line breaks',
    );
    await refused(gatewayOptions({ from: 'Acme\r\nX-Injected: 1' }), '/options/from must not contain control characters');
    const multiline = await patch({ options: gatewayOptions({ template: 'Acme\r\n\tYour code: @@password@@' }) });
    expect(multiline.status, JSON.stringify(multiline.body)).to.equal(200);
    await refused(gatewayOptions({ totp: { time_step: 300, length: 3 } }), '/options/totp/length');
    await refused(gatewayOptions({ totp: { time_step: 0, length: 6 } }), '/options/totp/time_step');
    await refused(gatewayOptions({ forward_req_info: 'yes' }), '/options/forward_req_info');
    await refused(gatewayOptions({ gateway_url: undefined }), '/options/gateway_url is required');
    await refused({ twilio_sid: 'not-a-sid', twilio_token: 't', from: '+15555555555' }, '/options/twilio_sid');
    expect((await patch({ enabled_clients: ['someone-elses-app'] })).body.message).to.contain('/enabled_clients/0');
    const missing = await call(t.url, 'PATCH', '/api/v2/connections/con_0000000000000000', { options: {} }, { token: admin });
    expect(missing).to.deep.equal({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'The connection does not exist', errorCode: 'inexistent_connection' },
    });
  });
});
