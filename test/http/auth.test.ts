import { Router } from '@koa/router';
import { expect } from 'chai';
import { generateKeyPair, SignJWT } from 'jose';
import type { Cradle } from '../../core/cradle.js';
import { requireClient, requireUser, type ClientAuth, type UserAuth } from '../../core/http/auth.js';
import type { AppState, RouteFactory } from '../../core/http/types.js';
import { clientForm, clients, startOidcServer, tenantId, type OidcServer } from '../support/oidcServer.js';

/** Routes that exist only in this test: each answers with what the middleware put in `ctx.state.auth`. */
const protectedRoutes = ({ tokens }: Cradle) =>
  new Router<AppState>()
    .get('/test/client', requireClient(tokens), (ctx) => void (ctx.body = ctx.state.auth satisfies ClientAuth))
    .get('/test/management', requireClient(tokens, ['management']), (ctx) => void (ctx.body = ctx.state.auth))
    .get('/test/user', requireUser(tokens), (ctx) => void (ctx.body = ctx.state.auth satisfies UserAuth));

describe('requireClient / requireUser', () => {
  let server: OidcServer;
  let appToken: string;
  let managementToken: string;
  let user: { userId: string; sid: string; access_token: string; id_token: string; refresh_token: string };

  before(async () => {
    server = await startOidcServer({ extraRoutes: [protectedRoutes satisfies RouteFactory] });
    const clientToken = async (clientId: string) =>
      (await server.token({ grant_type: 'client_credentials', ...clientForm(clientId) })).body.access_token as string;
    appToken = await clientToken(clients.web.clientId);
    managementToken = await clientToken(clients.admin.clientId);
    const { cradle } = server;
    const created = await cradle.users.createOrAddToApp(tenantId, clients.web.clientId, { phoneNumber: '+14155550500' }, {});
    const app = (await cradle.applications.get(clients.web.clientId))!;
    const session = await cradle.tokens.startSession({ app, user: created.user, amr: ['otp', 'sms'], metadata: {} });
    user = { ...session, userId: created.user.userId, sid: session.session_id };
  });
  after(() => server.close());

  const get = (path: string, authorization?: string) =>
    server.request(path, authorization === undefined ? {} : { headers: { Authorization: authorization } });

  /** RFC 6750 §3: no token → the scheme and realm only; a bad one → `error="invalid_token"` and why. */
  async function expectInvalidToken(path: string, authorization?: string) {
    const response = await get(path, authorization);
    expect(response.status, `${path} with ${authorization}`).to.equal(401);
    const presented = authorization !== undefined && /^Bearer \S/.test(authorization);
    expect(response.headers.get('www-authenticate')).to.equal(
      presented
        ? `Bearer realm="otpledger", error="invalid_token", error_description="${response.body.error_description}"`
        : 'Bearer realm="otpledger"',
    );
    expect(response.body.error).to.equal('invalid_token');
    return response;
  }

  it('admits a client token and tells the route who called', async () => {
    const response = await get('/test/client', `Bearer ${appToken}`);
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ kind: 'client', tenantId, clientId: clients.web.clientId, role: 'app' });
    expect((await get('/test/client', `bearer  ${appToken}`)).status).to.equal(200);
  });

  it('admits a user token and tells the route who signed in, in which session', async () => {
    const response = await get('/test/user', `Bearer ${user.access_token}`);
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({
      kind: 'user',
      tenantId,
      clientId: clients.web.clientId,
      userId: user.userId,
      sid: user.sid,
      scope: 'openid profile email phone',
    });
  });

  it('answers 401 invalid_token without a token, or with a token that is not a bearer access token', async () => {
    for (const path of ['/test/client', '/test/user']) {
      await expectInvalidToken(path);
      await expectInvalidToken(path, 'Bearer');
      await expectInvalidToken(path, `Basic ${Buffer.from('a:b').toString('base64')}`);
      await expectInvalidToken(path, 'Bearer not-a-jwt');
      await expectInvalidToken(path, `Bearer ${user.id_token}`);
      await expectInvalidToken(path, `Bearer ${user.refresh_token}`);
    }
  });

  it('answers 401 to a user token where a client is expected, and the other way round', async () => {
    await expectInvalidToken('/test/client', `Bearer ${user.access_token}`);
    await expectInvalidToken('/test/user', `Bearer ${appToken}`);
  });

  it('answers 403 to a client of the wrong role', async () => {
    const refused = await get('/test/management', `Bearer ${appToken}`);
    expect(refused.status).to.equal(403);
    expect(refused.body.error).to.equal('insufficient_scope');
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="otpledger", error="insufficient_scope"');
    const admitted = await get('/test/management', `Bearer ${managementToken}`);
    expect(admitted.status).to.equal(200);
    expect(admitted.body.role).to.equal('management');
  });

  it('answers 401 to an expired token', async () => {
    server.clock.advance(3600);
    try {
      const response = await expectInvalidToken('/test/client', `Bearer ${appToken}`);
      expect(response.body.error_description).to.equal('the token has expired');
    } finally {
      server.clock.advance(-3600);
    }
  });

  it('answers 401 to a token signed with another key, even under our kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const { kid } = server.cradle.secrets.signingKey;
    const forged = await new SignJWT({
      token_use: 'client',
      client_id: clients.admin.clientId,
      tenant_id: tenantId,
      role: 'management',
      jti: 'x',
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .setIssuer(server.url)
      .setAudience(server.url)
      .setSubject(clients.admin.clientId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectInvalidToken('/test/management', `Bearer ${forged}`);
  });

  it('answers 401 to a user token once its session is revoked', async () => {
    const first = await server.token({
      grant_type: 'refresh_token',
      refresh_token: user.refresh_token,
      ...clientForm(clients.web.clientId),
    });
    expect(first.status).to.equal(200);
    const replay = await server.token({
      grant_type: 'refresh_token',
      refresh_token: user.refresh_token,
      ...clientForm(clients.web.clientId),
    });
    expect(replay.status).to.equal(400);
    const response = await expectInvalidToken('/test/user', `Bearer ${first.body.access_token}`);
    expect(response.body.error_description).to.equal('the session has been revoked');
  });
});
