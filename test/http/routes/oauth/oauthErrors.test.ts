import { expect } from 'chai';
import { auth0TokenRoutes, PASSWORDLESS_OTP_GRANT } from '../../../../core/http/routes/auth0/token.js';
import {
  basicAuth,
  clientForm,
  clients,
  secretOf,
  startOidcServer,
  tenantId,
  type OidcServer,
  type Response,
} from '../../../support/oidcServer.js';

/** RFC 6749 §5.2's codes, RFC 7009 §2.2.1's and RFC 6750 §3.1's; `too_many_attempts` is Auth0's 429. */
const OAUTH_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'invalid_token',
  'insufficient_scope',
];

/**
 * Every refusal of the OAuth endpoints in RFC 6749 form: `{ error, error_description }` and nothing else, a code of
 * the RFCs, `Cache-Control: no-store`, and `WWW-Authenticate` where RFC 6749 §5.2 and RFC 6750 §3 want it.
 */
describe('OAuth endpoints: every error in RFC 6749 form', () => {
  let server: OidcServer;
  before(async () => {
    server = await startOidcServer({ extraRoutes: [auth0TokenRoutes] });
    await server.cradle.smsConnections.update(tenantId, { enabled_clients: [clients.web.clientId, clients.mobile.clientId] }, {});
  });
  after(() => server.close());

  const web = clientForm(clients.web.clientId);
  const post = (
    path: string,
    options: { headers?: Record<string, string>; fields?: Record<string, string>; body?: string; type?: string } = {},
  ) => {
    const { body, type } = options.fields
      ? { body: new URLSearchParams(options.fields).toString(), type: 'application/x-www-form-urlencoded' }
      : options;
    return server.request(path, {
      method: 'POST',
      headers: { ...(type && { 'Content-Type': type }), ...options.headers },
      ...(body !== undefined && { body }),
    });
  };

  function expectOAuthError(response: Response, status: number, error: string, what: string) {
    expect(response.status, `${what}: ${JSON.stringify(response.body)}`).to.equal(status);
    expect(response.body, what).to.have.keys('error', 'error_description');
    expect(response.body.error, what).to.equal(error);
    expect(response.body.error_description, what).to.be.a('string').and.not.equal('');
    expect(response.headers.get('content-type'), what).to.match(/^application\/json/);
    expect(response.headers.get('cache-control'), what).to.equal('no-store');
  }

  it('the token, revocation and introspection endpoints refuse malformed requests with 400 invalid_request, saying what is wrong', async () => {
    const cases: [string, Parameters<typeof post>[1], string][] = [
      ['/oidc/token', {}, '/grant_type is required'],
      ['/oidc/token', { type: 'application/x-www-form-urlencoded', body: '' }, '/grant_type is required'],
      [
        '/oidc/token',
        { type: 'text/plain', body: 'grant_type=client_credentials' },
        'send the parameters as a form (application/x-www-form-urlencoded) or a JSON object',
      ],
      [
        '/oidc/token',
        { type: 'application/json', body: '[1]' },
        'send the parameters as a form (application/x-www-form-urlencoded) or a JSON object',
      ],
      ['/oidc/token', { type: 'application/json', body: '{"grant_type":' }, 'request body is not valid JSON'],
      [
        '/oidc/token',
        { type: 'application/x-www-form-urlencoded', body: 'grant_type=client_credentials&grant_type=refresh_token' },
        '/grant_type must be string',
      ],
      ['/oidc/token', { fields: { grant_type: 'authorization_code', ...web } }, '/code is required; /redirect_uri is required'],
      ['/oidc/token', { fields: { grant_type: 'refresh_token', ...web } }, '/refresh_token is required'],
      [
        '/oidc/token',
        { fields: { grant_type: PASSWORDLESS_OTP_GRANT, ...web } },
        '/username is required; /otp is required; /realm is required',
      ],
      [
        '/oauth/token',
        { type: 'text/plain', body: 'x' },
        'send the parameters as a form (application/x-www-form-urlencoded) or a JSON object',
      ],
      ['/oidc/revoke', { fields: web }, '/token is required'],
      [
        '/oidc/revoke',
        { type: 'text/plain', body: 'token=x' },
        'send the parameters as a form (application/x-www-form-urlencoded) or a JSON object',
      ],
      ['/oauth/revoke', { fields: web }, '/token is required'],
      ['/oidc/introspect', { fields: clientForm(clients.admin.clientId) }, '/token is required'],
    ];
    for (const [path, options, description] of cases) {
      const response = await post(path, options);
      const what = `${path} ${JSON.stringify(options)}`;
      expectOAuthError(response, 400, 'invalid_request', what);
      expect(response.body.error_description, what).to.equal(description);
    }
  });

  it('refuses an unknown grant_type with unsupported_grant_type, and a grant the client may not use with unauthorized_client', async () => {
    expectOAuthError(await post('/oidc/token', { fields: { grant_type: 'password', ...web } }), 400, 'unsupported_grant_type', 'password');
    expectOAuthError(
      await post('/oidc/token', { fields: { grant_type: 'client_credentials', client_id: clients.mobile.clientId } }),
      400,
      'unauthorized_client',
      'public client_credentials',
    );
  });

  it('answers 401 invalid_client, with a Basic challenge whenever the client tried the Authorization header (RFC 6749 §5.2)', async () => {
    const endpoints = ['/oidc/token', '/oauth/token', '/oidc/revoke', '/oauth/revoke', '/oidc/introspect'];
    const fields = { grant_type: 'client_credentials', token: 'x' };
    for (const path of endpoints) {
      const wrongBasic = await post(path, { fields, headers: { Authorization: basicAuth(clients.web.clientId, 'wrong') } });
      expectOAuthError(wrongBasic, 401, 'invalid_client', `${path} wrong Basic`);
      expect(wrongBasic.headers.get('www-authenticate'), path).to.equal('Basic realm="otpledger"');
      // a Bearer token is no client authentication: the client is told the scheme to use
      const bearer = await post(path, { fields, headers: { Authorization: 'Bearer abc' } });
      expectOAuthError(bearer, 401, 'invalid_client', `${path} Bearer`);
      expect(bearer.headers.get('www-authenticate'), path).to.equal('Basic realm="otpledger"');
      // in the body: no challenge to answer
      const wrongPost = await post(path, { fields: { ...fields, client_id: clients.web.clientId, client_secret: 'wrong' } });
      expectOAuthError(wrongPost, 401, 'invalid_client', `${path} wrong post`);
      const nothing = await post(path, { fields });
      expectOAuthError(nothing, 401, 'invalid_client', `${path} no credentials`);
    }
  });

  it("answers the passwordless grant's refusals in RFC 6749 words at /oidc/token, in Auth0's at /oauth/token", async () => {
    const grant = { grant_type: PASSWORDLESS_OTP_GRANT, realm: 'sms', username: '+14155558888', otp: '000000' };
    const wrongCode = { ...grant, client_id: clients.mobile.clientId };
    expectOAuthError(await post('/oidc/token', { fields: wrongCode }), 400, 'invalid_grant', 'wrong code at /oidc/token');
    const atAuth0 = await post('/oauth/token', { fields: wrongCode });
    expect(atAuth0.status).to.equal(403);
    expect(atAuth0.body).to.deep.equal({ error: 'invalid_grant', error_description: 'Wrong phone number or verification code.' });

    const notAPhone = { ...wrongCode, username: 'ada' };
    expectOAuthError(await post('/oidc/token', { fields: notAPhone }), 400, 'invalid_grant', 'no phone at /oidc/token');
    expect((await post('/oauth/token', { fields: notAPhone })).status).to.equal(403);

    const management = { ...grant, ...clientForm(clients.admin.clientId) };
    expectOAuthError(await post('/oidc/token', { fields: management }), 400, 'unauthorized_client', 'management client at /oidc/token');
    expect((await post('/oauth/token', { fields: management })).body.error).to.equal('unauthorized_client');

    const notEnabled = { ...grant, ...clientForm(clients.closed.clientId) };
    expectOAuthError(
      await post('/oidc/token', { fields: notEnabled }),
      400,
      'unauthorized_client',
      'connection not enabled at /oidc/token',
    );
    expect((await post('/oauth/token', { fields: notEnabled })).body.error).to.equal('bad.connection');
    expectOAuthError(await post('/oidc/token', { fields: { ...wrongCode, realm: 'email' } }), 400, 'invalid_request', 'realm');
  });

  it('every refusal of the bearer endpoints carries its RFC 6750 challenge', async () => {
    const client = await server.token({ grant_type: 'client_credentials', ...web });
    const requests: [string, RequestInit][] = [
      ['/oidc/userinfo', {}],
      ['/oidc/userinfo', { headers: { Authorization: 'Bearer not.a.token' } }],
      [
        '/oidc/userinfo',
        {
          headers: {
            Authorization: `Basic ${Buffer.from(`${clients.web.clientId}:${secretOf(clients.web.clientId)}`).toString('base64')}`,
          },
        },
      ],
      ['/oidc/userinfo', { headers: { Authorization: `Bearer ${client.body.access_token}` } }],
      ['/oidc/userinfo', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'access_token=%00' }],
      ['/userinfo', { headers: { Authorization: 'Bearer not.a.token' } }],
    ];
    for (const [path, init] of requests) {
      const response = await server.request(path, init);
      const what = `${path} ${JSON.stringify(init)}`;
      expectOAuthError(response, 401, 'invalid_token', what);
      expect(response.headers.get('www-authenticate'), what).to.match(/^Bearer realm="otpledger"/);
    }
  });

  it("uses no code outside the RFCs' on these endpoints, whatever was sent", async () => {
    const bodies = [
      '',
      'grant_type=',
      'grant_type=%E0%A4%A',
      'token=x&token=y',
      'client_id=&client_secret=',
      'grant_type=refresh_token&refresh_token=x&client_id=acme-web&client_secret=acme-web-secret',
      'grant_type=authorization_code&code=x&redirect_uri=https://acme.example/verify&client_id=acme-web&client_secret=acme-web-secret&code_verifier=short',
    ];
    for (const path of ['/oidc/token', '/oauth/token', '/oidc/revoke', '/oauth/revoke', '/oidc/introspect']) {
      for (const body of bodies) {
        const response = await post(path, { type: 'application/x-www-form-urlencoded', body });
        const what = `${path} ${body}`;
        expect(response.status, what).to.be.within(400, 499);
        expect(OAUTH_CODES, `${what}: ${JSON.stringify(response.body)}`).to.include(response.body.error);
        expect(response.body, what).to.have.keys('error', 'error_description');
      }
    }
  });
});
