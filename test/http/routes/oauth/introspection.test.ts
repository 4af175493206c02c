import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { keyedHash } from '../../../../core/crypto/keyedHash.js';
import { introspectionStreamId, TOKEN_DOMAIN } from '../../../../core/oidc/tokenIntrospection.js';
import {
  basicAuth,
  clientForm,
  clients,
  otherTenant,
  secretOf,
  signIn,
  startOidcServer,
  tenantId,
  type OidcServer,
} from '../../../support/oidcServer.js';

/**
 * RFC 7662 introspection at `/oidc/introspect`, for a tenant's confidential clients: active tokens with their
 * claims, `{ active: false }` for anything else, and every introspection recorded as `TokenIntrospected`.
 */
describe('token introspection (RFC 7662)', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer()));
  after(() => server.close());

  const admin = [clients.admin.clientId, secretOf(clients.admin.clientId)] as [string, string];
  const introspect = (token: string, basic: [string, string] = admin) =>
    server.request('/oidc/introspect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basicAuth(...basic) },
      body: new URLSearchParams({ token }).toString(),
    });
  const recorded = async (token: string) =>
    (await server.cradle.eventStore.readStream(introspectionStreamId(keyedHash(server.cradle.secrets.hmacKey, TOKEN_DOMAIN, token)))).map(
      ({ type, data }) => ({ type, data }),
    );

  it("answers a session's access and refresh tokens active, with their claims, scope and session", async () => {
    const session = await signIn(server, { scope: 'openid phone' });
    const access = await introspect(session.access_token);
    expect(access.status).to.equal(200);
    expect(access.headers.get('cache-control')).to.equal('no-store');
    const claims = decodeJwt(session.access_token);
    expect(access.body).to.deep.equal({
      active: true,
      iss: server.url,
      aud: server.url,
      sub: session.userId,
      client_id: clients.web.clientId,
      tenant_id: tenantId,
      iat: claims.iat,
      exp: claims.exp,
      jti: claims.jti,
      token_use: 'user',
      sid: session.session_id,
      scope: 'openid phone',
      token_type: 'Bearer',
    });
    const refresh = await introspect(session.refresh_token);
    expect(refresh.body).to.include({
      active: true,
      token_type: 'refresh_token',
      token_use: 'refresh',
      sid: session.session_id,
      scope: 'openid phone',
    });
  });

  it('answers a client token active with its role', async () => {
    const client = await server.token({ grant_type: 'client_credentials', ...clientForm(clients.web.clientId) });
    expect((await introspect(client.body.access_token)).body).to.include({
      active: true,
      token_use: 'client',
      token_type: 'Bearer',
      role: 'app',
      sub: clients.web.clientId,
    });
  });

  it("answers only { active: false } for an id_token, garbage, an expired token, another tenant's, a revoked session and a rotated refresh token", async () => {
    const session = await signIn(server);
    const inactive = { active: false };
    expect((await introspect(session.id_token)).body).to.deep.equal(inactive);
    expect((await introspect('not-a-token')).body).to.deep.equal(inactive);

    const globex = await signIn(server, { clientId: otherTenant.clientId, tenant: otherTenant.tenantId });
    expect((await introspect(globex.access_token)).body).to.deep.equal(inactive);
    // the other tenant's own client sees it active, and nothing of acme's
    const globexClient = [otherTenant.clientId, secretOf(otherTenant.clientId)] as [string, string];
    expect((await introspect(globex.access_token, globexClient)).body).to.include({ active: true, tenant_id: otherTenant.tenantId });
    expect((await introspect(session.access_token, globexClient)).body).to.deep.equal(inactive);

    const rotated = await server.token({
      grant_type: 'refresh_token',
      refresh_token: session.refresh_token,
      ...clientForm(clients.web.clientId),
    });
    expect(rotated.status).to.equal(200);
    expect((await introspect(session.refresh_token)).body).to.deep.equal(inactive);
    expect((await introspect(rotated.body.refresh_token)).body).to.include({ active: true });

    await server.cradle.tokens.revokeSession(session.session_id, { clientId: clients.web.clientId, tokenJti: 'test' }, {});
    expect((await introspect(rotated.body.access_token)).body).to.deep.equal(inactive);
    expect((await introspect(rotated.body.refresh_token)).body).to.deep.equal(inactive);

    const later = await signIn(server);
    server.clock.advance(3601);
    expect((await introspect(later.access_token)).body).to.deep.equal(inactive);
    server.clock.advance(-3601);
  });

  it('records each introspection as TokenIntrospected under a keyed hash of the token: who asked, the answer, never the token', async () => {
    const session = await signIn(server);
    const garbage = `garbage-${session.session_id}`;
    await introspect(session.access_token);
    await introspect(garbage);
    const [event, ...others] = await recorded(session.access_token);
    expect(others).to.deep.equal([]);
    expect(event).to.deep.include({ type: 'TokenIntrospected' });
    expect(event!.data).to.deep.include({
      clientId: clients.admin.clientId,
      active: true,
      tokenUse: 'user',
      jti: decodeJwt(session.access_token).jti,
      sid: session.session_id,
    });
    expect(JSON.stringify(event)).to.not.include(session.access_token.split('.')[2]);
    const [refused, ...more] = await recorded(garbage);
    expect(more).to.deep.equal([]);
    expect(refused!.data).to.have.keys('clientId', 'active', 'at').and.include({ clientId: clients.admin.clientId, active: false });
  });

  it('is for confidential clients: a public client is 401 invalid_client, so is a wrong secret (with a Basic challenge)', async () => {
    const session = await signIn(server);
    const publicClient = await server.request('/oidc/introspect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: session.access_token, client_id: clients.mobile.clientId }).toString(),
    });
    expect(publicClient.status).to.equal(401);
    expect(publicClient.body.error).to.equal('invalid_client');
    const wrong = await introspect(session.access_token, [clients.admin.clientId, 'wrong']);
    expect(wrong.status).to.equal(401);
    expect(wrong.headers.get('www-authenticate')).to.equal('Basic realm="otpledger"');
    expect(wrong.body).to.deep.equal({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect(await recorded(session.access_token)).to.deep.equal([]);
  });
});
