import { asValue } from 'awilix';
import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { PASSWORDLESS_OTP_GRANT } from '../../../../core/http/routes/auth0/token.js';
import { defaultDispatchPolicy } from '../../../../core/sms/smsDispatcher.js';
import { startAuth0Gateway, type Auth0Gateway, type GatewayAuth } from '../../../plugins/sms-gateway/auth0Gateway.js';
import { call, type CallOptions } from '../../../support/auth0Client.js';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

const AUTH: GatewayAuth = { subject: 'urn:Auth0', audience: 'urn:MySmsGateway', secret: 'MySecretToSignTheToken' };
const phone = '+15125550188';
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3)';

describe('Auth0 dialect: /passwordless/start and the passwordless OTP grant against an Auth0-style gateway', function () {
  this.timeout(30_000);
  let t: TestServer;
  let admin: string;
  let gateway: Auth0Gateway;
  let connectionId: string;

  beforeEach(async () => {
    // the gateway gets 300 ms instead of Auth0's 30 s: the timeout case must not wait half a minute
    const policy = { ...defaultDispatchPolicy, providerTimeoutMs: { sms_gateway: 300 } };
    t = await startOtpServer({ overrides: { smsDispatchPolicy: asValue(policy) } });
    admin = await t.clientToken('acme-admin');
    gateway = await startAuth0Gateway(AUTH);
    connectionId = (await t.get('/api/v2/connections?strategy=sms', admin)).body[0].id;
    expect((await patch({})).status).to.equal(200);
  });
  afterEach(async () => {
    await gateway.close();
    await t.close();
  });

  /** The seed's PATCH payload, with this test's gateway, its bearer settings and the web app enabled. */
  const patch = (options: Record<string, unknown>, gatewayAuth: GatewayAuth = AUTH) =>
    call(
      t.url,
      'PATCH',
      `/api/v2/connections/${connectionId}`,
      {
        options: {
          strategy: 'sms',
          provider: 'sms_gateway',
          gateway_url: gateway.url,
          from: '+1 234 567',
          template: 'Your verification code is: @@password@@',
          brute_force_protection: true,
          forward_req_info: 'true',
          disable_signup: false,
          name: 'sms',
          syntax: 'md_with_macros',
          totp: { time_step: 300, length: 6 },
          gateway_authentication: {
            method: 'bearer',
            subject: gatewayAuth.subject,
            audience: gatewayAuth.audience,
            secret: gatewayAuth.secret,
            secret_base64_encoded: false,
          },
          ...options,
        },
        is_domain_connection: false,
        enabled_clients: ['acme-web', 'acme-mobile'],
      },
      { token: admin },
    );
  const start = (number = phone, options: CallOptions = {}) =>
    call(
      t.url,
      'POST',
      '/passwordless/start',
      { client_id: 'acme-mobile', connection: 'sms', phone_number: number, send: 'code' },
      { userAgent: BROWSER, ...options },
    );
  const token = (otp: string, options: CallOptions = {}, extra: Record<string, string> = {}) =>
    call(
      t.url,
      'POST',
      '/oauth/token',
      { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-mobile', username: phone, otp, realm: 'sms', ...extra },
      { form: true, ...options },
    );
  const lastCode = () => /\d+$/.exec(gateway.requests.at(-1)!.json.body)![0];
  const events = async (prefix: string) => {
    const found: { type: string; data: any }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: [prefix] } })) found.push(event);
    return found;
  };

  it('start -> token: the gateway verifies the bearer JWT and gets { recipient, body, sender, req }; the id_token verifies against the JWKS', async () => {
    const started = await start();
    expect(started.status, JSON.stringify(started.body)).to.equal(200);
    expect(started.body).to.include({ phone_number: phone, phone_verified: false, request_language: null }).and.to.have.property('_id');
    const [received] = gateway.requests;
    expect(received!.claims).to.include({ sub: 'urn:Auth0', aud: 'urn:MySmsGateway' });
    expect(received!.json).to.deep.equal({
      recipient: phone,
      body: `Your verification code is: ${lastCode()}`,
      sender: '+1 234 567',
      req: { ip: '127.0.0.1', 'user-agent': BROWSER },
    });
    expect(lastCode()).to.have.length(6);

    const tokens = await token(lastCode(), {}, { scope: 'openid offline_access' });
    expect(tokens.status, JSON.stringify(tokens.body)).to.equal(200);
    expect(tokens.body).to.include({ token_type: 'Bearer', scope: 'openid offline_access' });
    expect(tokens.body).to.have.keys('access_token', 'id_token', 'refresh_token', 'token_type', 'expires_in', 'scope');
    const { payload } = await jwtVerify(tokens.body.id_token, createRemoteJWKSet(new URL(`${t.url}/oidc/jwks`)), {
      audience: 'acme-mobile',
    });
    expect(payload).to.include({ phone_number: phone, phone_number_verified: true });
    // the same domain events as the Mosaic dialect
    expect((await events(`otp-acme-login-`)).map((e) => e.type)).to.deep.equal(['OtpIssued', 'SmsSent', 'OtpVerified']);
    expect((await events('session-')).map((e) => e.type)).to.deep.equal(['SessionStarted', 'TokensIssued']);
    // single use
    expect((await token(lastCode())).body).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'Wrong phone number or verification code.',
    });
  });

  it('follows totp and the template: 4 digits, valid for time_step seconds, macros filled', async () => {
    await patch({ totp: { time_step: 60, length: 4 }, template: '{{ application.name }}: @@password@@' });
    await start();
    expect(gateway.requests.at(-1)!.json.body).to.match(/^Acme mobile: \d{4}$/);
    const [issued] = await events('otp-acme-login-');
    expect(Date.parse(issued!.data.expiresAt) - Date.parse(issued!.data.issuedAt)).to.equal(60_000);
  });

  it('answers a non-200 gateway with 400 sms_provider_error in Auth0 words, calling it once', async () => {
    gateway.status = 503;
    const answer = await start();
    expect(answer).to.deep.equal({
      status: 400,
      body: { error: 'sms_provider_error', error_description: 'Unexpected response while calling the SMS gateway: 503' },
    });
    expect(gateway.requests).to.have.length(1);
  });

  it('answers a gateway that refuses the JWT (wrong shared secret) with "Authentication failed ... 401"', async () => {
    await patch({}, { ...AUTH, secret: 'not-the-shared-secret' });
    const answer = await start();
    expect(answer).to.deep.equal({
      status: 400,
      body: { error: 'sms_provider_error', error_description: 'Authentication failed while calling the SMS gateway: 401' },
    });
  });

  it('answers a gateway that does not reply in time with "Timeout while calling the SMS gateway: ..."', async () => {
    gateway.mode = 'hang';
    const started = performance.now();
    const answer = await start();
    expect(answer.status).to.equal(400);
    expect(answer.body.error).to.equal('sms_provider_error');
    expect(answer.body.error_description).to.match(/^Timeout while calling the SMS gateway: \S+$/);
    expect(performance.now() - started).to.be.below(2_000);
  });

  it('burns a code after 3 wrong tries: the right one no longer works', async () => {
    await start();
    const code = lastCode();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) expect((await token(wrong)).status).to.equal(403);
    expect((await token(code)).body.error).to.equal('invalid_grant');
    expect((await events('otp-acme-login-')).map((e) => e.type)).to.include('OtpRevoked');
  });

  it('brute-force protection: 10 failures from IP A block A for that user, not IP B', async () => {
    const A = { localAddress: '127.0.0.1' };
    const B = { localAddress: '127.0.0.2' };
    await start();
    for (let i = 0; i < 10; i++) expect((await token('999999', A)).status).to.equal(403);
    await start(phone, B);
    expect(gateway.requests.at(-1)!.json.req.ip).to.equal('127.0.0.2');
    const blocked = await token(lastCode(), A);
    expect(blocked.status).to.equal(429);
    expect(blocked.body.error).to.equal('too_many_attempts');
    expect((await token(lastCode(), B)).status).to.equal(200);
    expect((await events('bruteforce-acme-')).map((e) => e.type)).to.include('IpBlockedForUser');

    // an admin sees the block (the IP as a keyed hash: addresses are never stored) and lifts it
    const blocks = await t.get(`/api/v2/user-blocks?identifier=${encodeURIComponent(phone)}`, admin);
    expect(blocks.status).to.equal(200);
    expect(blocks.body.blocked_for).to.have.length(1);
    expect(blocks.body.blocked_for[0]).to.include({ identifier: phone, connection: 'sms' });
    expect(blocks.body.blocked_for[0].ip).to.match(/^hash:[0-9a-f]{64}$/);
    expect(JSON.stringify(blocks.body)).not.to.contain('127.0.0.1');
    const lifted = await call(t.url, 'DELETE', `/api/v2/user-blocks?identifier=${encodeURIComponent(phone)}`, undefined, { token: admin });
    expect(lifted.status).to.equal(204);
    expect((await t.get(`/api/v2/user-blocks?identifier=${encodeURIComponent(phone)}`, admin)).body.blocked_for).to.deep.equal([]);
    await start(phone, A);
    expect((await token(lastCode(), A)).status).to.equal(200);
    expect((await events('bruteforce-acme-')).map((e) => e.type)).to.include('IpUnblockedForUser');
    expect((await t.get(`/api/v2/user-blocks?identifier=${encodeURIComponent(phone)}`, await t.clientToken())).status).to.equal(403);
  });

  it('disable_signup refuses unknown phones and still signs in known users; without it a first login creates the user', async () => {
    await patch({ disable_signup: true });
    expect(await start()).to.deep.equal({ status: 400, body: { error: 'access_denied', error_description: 'Public signup is disabled' } });
    expect((await token('123456')).status).to.equal(403);
    const app = await t.clientToken('acme-web');
    await t.post('/cis/v1/users', { phone_number: phone }, app);
    expect((await start()).status).to.equal(200);
    expect((await token(lastCode())).status).to.equal(200);

    await patch({ disable_signup: false });
    const stranger = '+15125550199';
    await start(stranger);
    const signedUp = await call(t.url, 'POST', '/oauth/token', {
      grant_type: PASSWORDLESS_OTP_GRANT,
      client_id: 'acme-mobile',
      username: stranger,
      otp: lastCode(),
      realm: 'sms',
    });
    expect(signedUp.status).to.equal(200);
    expect(signedUp.body).not.to.have.property('refresh_token'); // no offline_access asked
    expect(await t.server.container.cradle.users.findUser('acme', 'phone_number', stranger)).to.include({ phoneNumberVerified: true });
  });

  it('refuses clients the connection is not enabled for', async () => {
    const answer = await call(t.url, 'POST', '/passwordless/start', {
      client_id: 'acme-shop',
      client_secret: 'acme-shop-secret',
      connection: 'sms',
      phone_number: phone,
      send: 'code',
    });
    expect(answer.status).to.equal(400);
    expect(answer.body.error).to.equal('bad.connection');
    expect(gateway.requests).to.have.length(0);
  });

  it('only a public client (token_endpoint_auth_method "none") may skip its secret: a confidential one without it is 401 invalid_client, like an unknown one', async () => {
    const refused = { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    const startAs = (body: Record<string, string>) =>
      call(t.url, 'POST', '/passwordless/start', { connection: 'sms', phone_number: phone, send: 'code', ...body });
    const tokenAs = (body: Record<string, string>) =>
      call(
        t.url,
        'POST',
        '/oauth/token',
        { grant_type: PASSWORDLESS_OTP_GRANT, username: phone, otp: '123456', realm: 'sms', ...body },
        { form: true },
      );
    const clients: Record<string, string>[] = [
      { client_id: 'acme-web' },
      { client_id: 'no-such-app' },
      { client_id: 'acme-web', client_secret: 'wrong' },
      { client_id: 'acme-mobile', client_secret: 'anything' },
    ];
    for (const client of clients) {
      expect(await startAs(client), JSON.stringify(client)).to.deep.equal(refused);
      expect(await tokenAs(client), JSON.stringify(client)).to.deep.equal(refused);
      // and at the discovered token endpoint, where the grant is accepted too
      expect(
        await call(
          t.url,
          'POST',
          '/oidc/token',
          { grant_type: PASSWORDLESS_OTP_GRANT, username: phone, otp: '123456', realm: 'sms', ...client },
          { form: true },
        ),
      ).to.deep.equal(refused);
    }
    expect(gateway.requests).to.have.length(0);
    // with its secret the confidential client works, and so does the public one with none
    expect((await startAs({ client_id: 'acme-web', client_secret: 'acme-web-secret' })).status).to.equal(200);
    expect((await startAs({ client_id: 'acme-mobile' })).status).to.equal(200);
    expect((await tokenAs({ client_id: 'acme-mobile', otp: lastCode() })).status).to.equal(200);
  });

  it('the OTP grant at /oidc/token: the same tokens, an RS256 id_token (Auth0 dialect) unless the application asks for ES256', async () => {
    expect((await start()).status).to.equal(200);
    const answer = await call(
      t.url,
      'POST',
      '/oidc/token',
      { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-mobile', username: phone, otp: lastCode(), realm: 'sms' },
      { form: true },
    );
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const jwks = createRemoteJWKSet(new URL(`${t.url}/.well-known/jwks.json`));
    expect((await jwtVerify(answer.body.id_token, jwks, { audience: 'acme-mobile' })).protectedHeader.alg).to.equal('RS256');
    // the access token is for this server: ES256 whatever the dialect
    expect((await jwtVerify(answer.body.access_token, jwks)).protectedHeader.alg).to.equal('ES256');

    const management = await t.clientToken('acme-admin');
    expect((await t.patch('/admin/v1/applications/acme-mobile', { id_token_signed_response_alg: 'ES256' }, management)).status).to.equal(
      200,
    );
    await start();
    const es = await call(
      t.url,
      'POST',
      '/oauth/token',
      { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-mobile', username: phone, otp: lastCode(), realm: 'sms' },
      { form: true },
    );
    expect((await jwtVerify(es.body.id_token, jwks, { audience: 'acme-mobile' })).protectedHeader.alg).to.equal('ES256');
  });
});
