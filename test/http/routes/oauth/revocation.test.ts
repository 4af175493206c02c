import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { auth0TokenRoutes } from '../../../../core/http/routes/auth0/token.js';
import {
  basicAuth,
  clientForm,
  clients,
  otherTenant,
  secretOf,
  signIn,
  startOidcServer,
  type OidcServer,
} from '../../../support/oidcServer.js';

/**
 * RFC 7009 revocation at `/oidc/revoke` and Auth0's `/oauth/revoke`: a refresh token or a user access token ends
 * its session, recorded as `SessionRevoked`; what is not a valid token is a 200 that records nothing.
 */
describe('token revocation (RFC 7009)', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer({ extraRoutes: [auth0TokenRoutes] })));
  after(() => server.close());

  const revoke = (form: Record<string, string>, options: { path?: string; basic?: [string, string] } = {}) =>
    server.request(options.path ?? '/oidc/revoke', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...(options.basic && { Authorization: basicAuth(...options.basic) }),
      },
      body: new URLSearchParams(form).toString(),
    });
  const userinfo = (token: string) => server.request('/oidc/userinfo', { headers: { Authorization: `Bearer ${token}` } });
  const refresh = (token: string, clientId: string = clients.web.clientId) =>
    server.token({ grant_type: 'refresh_token', refresh_token: token, ...clientForm(clientId) });
  const sessionEvents = async (sid: string) =>
    (await server.cradle.eventStore.readStream(`session-${sid}`)).map(({ type, data }) => ({ type, data }));
  const allEvents = () => server.cradle.eventStore.lastPosition();

  it('revoking a user access token ends its session: the access and refresh tokens stop working, SessionRevoked is recorded', async () => {
    const session = await signIn(server);
    expect((await userinfo(session.access_token)).status).to.equal(200);
    const answer = await revoke({ token: session.access_token, token_type_hint: 'access_token', ...clientForm(clients.web.clientId) });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('cache-control')).to.equal('no-store');
    expect((await userinfo(session.access_token)).status).to.equal(401);
    expect((await refresh(session.refresh_token)).body.error).to.equal('invalid_grant');
    expect((await sessionEvents(session.session_id)).at(-1)).to.deep.equal({
      type: 'SessionRevoked',
      data: { reason: 'revoked_by_client', clientId: clients.web.clientId, tokenJti: decodeJwt(session.access_token).jti },
    });
  });

  it("revokes a refresh token at Auth0's /oauth/revoke, with HTTP Basic, whatever the hint says", async () => {
    const session = await signIn(server);
    const answer = await revoke(
      { token: session.refresh_token, token_type_hint: 'access_token' },
      { path: '/oauth/revoke', basic: [clients.web.clientId, secretOf(clients.web.clientId)] },
    );
    expect(answer.status).to.equal(200);
    expect((await userinfo(session.access_token)).status).to.equal(401);
    expect((await sessionEvents(session.session_id)).at(-1)).to.deep.include({ type: 'SessionRevoked' });
  });

  it('lets a public client revoke its own tokens with its client_id alone', async () => {
    const session = await signIn(server, { clientId: clients.mobile.clientId });
    expect((await revoke({ token: session.refresh_token, client_id: clients.mobile.clientId })).status).to.equal(200);
    expect((await userinfo(session.access_token)).status).to.equal(401);
  });

  it('answers 200 and records nothing for what is not a valid token: unknown, expired, already revoked (§2.2)', async () => {
    const session = await signIn(server);
    expect((await revoke({ token: session.refresh_token, ...clientForm(clients.web.clientId) })).status).to.equal(200);
    const before = await allEvents();
    for (const token of ['not-a-token', session.refresh_token, session.access_token, session.id_token]) {
      const answer = await revoke({ token, ...clientForm(clients.web.clientId) });
      expect(answer.status, token).to.equal(200);
      expect(answer.body).to.deep.equal({});
    }
    expect(await allEvents()).to.equal(before);
  });

  it("refuses another client's token (400), another tenant's too, and leaves the session alive", async () => {
    const session = await signIn(server);
    for (const clientId of [clients.closed.clientId, otherTenant.clientId]) {
      const answer = await revoke({ token: session.refresh_token, ...clientForm(clientId) });
      expect(answer.status).to.equal(400);
      expect(answer.body).to.deep.equal({ error: 'invalid_request', error_description: 'the token was not issued to this client' });
    }
    expect((await userinfo(session.access_token)).status).to.equal(200);
    expect((await refresh(session.refresh_token)).status).to.equal(200);
  });

  it('answers a client_credentials access token 400 unsupported_token_type: it is stateless and expires on its own', async () => {
    const client = await server.token({ grant_type: 'client_credentials', ...clientForm(clients.web.clientId) });
    const answer = await revoke({ token: client.body.access_token, ...clientForm(clients.web.clientId) });
    expect(answer.status).to.equal(400);
    expect(answer.body.error).to.equal('unsupported_token_type');
  });

  it('authenticates the client as the token endpoint does: a confidential client without its secret is 401 invalid_client', async () => {
    const session = await signIn(server);
    const withoutSecret = await revoke({ token: session.refresh_token, client_id: clients.web.clientId });
    expect(withoutSecret.status).to.equal(401);
    expect(withoutSecret.body).to.deep.equal({ error: 'invalid_client', error_description: 'client authentication failed' });
    const wrongBasic = await revoke({ token: session.refresh_token }, { basic: [clients.web.clientId, 'wrong'] });
    expect(wrongBasic.status).to.equal(401);
    expect(wrongBasic.headers.get('www-authenticate')).to.equal('Basic realm="otpledger"');
    expect((await userinfo(session.access_token)).status).to.equal(200);
    const noToken = await revoke({ ...clientForm(clients.web.clientId) });
    expect(noToken.status).to.equal(400);
    expect(noToken.body).to.deep.equal({ error: 'invalid_request', error_description: '/token is required' });
  });
});
