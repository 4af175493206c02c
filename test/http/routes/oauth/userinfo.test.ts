import { expect } from 'chai';
import { auth0TokenRoutes } from '../../../../core/http/routes/auth0/token.js';
import { clientForm, clients, signIn, startOidcServer, tenantId, type OidcServer } from '../../../support/oidcServer.js';

/**
 * OpenID Connect Core §5.3 userinfo at `/oidc/userinfo` (GET and POST) and Auth0's `GET /userinfo`: a user access
 * token of an active session, claims by its scopes, errors and challenges as RFC 6750 §3 says.
 */
describe('userinfo', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer({ extraRoutes: [auth0TokenRoutes] })));
  after(() => server.close());

  const get = (path: string, token: string) => server.request(path, { headers: { Authorization: `Bearer ${token}` } });
  const postForm = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    server.request('/oidc/userinfo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  it("answers the claims of the token's scopes: openid → sub; phone → phone_number, phone_number_verified", async () => {
    const every = await signIn(server);
    const all = await get('/oidc/userinfo', every.access_token);
    expect(all.status).to.equal(200);
    expect(all.headers.get('cache-control')).to.equal('no-store');
    expect(all.body).to.deep.equal({ sub: every.userId, phone_number: every.phoneNumber, phone_number_verified: true });

    const openid = await signIn(server, { scope: 'openid' });
    expect((await get('/oidc/userinfo', openid.access_token)).body).to.deep.equal({ sub: openid.userId });

    const phone = await signIn(server, { scope: 'openid phone', verified: false });
    expect((await get('/oidc/userinfo', phone.access_token)).body).to.deep.equal({
      sub: phone.userId,
      phone_number: phone.phoneNumber,
      phone_number_verified: false,
    });
  });

  it('answers the user as they are now, not as they were when the token was signed', async () => {
    const session = await signIn(server, { verified: false });
    expect((await get('/oidc/userinfo', session.access_token)).body).to.include({ phone_number_verified: false });
    await server.cradle.users.verifyPhone(tenantId, session.userId, session.phoneNumber, 'verification', {});
    expect((await get('/oidc/userinfo', session.access_token)).body).to.include({ phone_number_verified: true });
  });

  it("takes the token in the header on GET and POST, in a POST form (RFC 6750 §2.2), and at Auth0's GET /userinfo", async () => {
    const session = await signIn(server);
    const expected = { sub: session.userId, phone_number: session.phoneNumber, phone_number_verified: true };
    expect((await get('/userinfo', session.access_token)).body).to.deep.equal(expected);
    expect((await postForm({}, { Authorization: `Bearer ${session.access_token}` })).body).to.deep.equal(expected);
    const inForm = await postForm({ access_token: session.access_token });
    expect(inForm.status).to.equal(200);
    expect(inForm.body).to.deep.equal(expected);
  });

  it('refuses a token sent two ways at once with 400 invalid_request (RFC 6750 §2)', async () => {
    const session = await signIn(server);
    const both = await postForm({ access_token: session.access_token }, { Authorization: `Bearer ${session.access_token}` });
    expect(both.status).to.equal(400);
    expect(both.body).to.deep.equal({
      error: 'invalid_request',
      error_description: 'send the access token once: in the Authorization header or in the body',
    });
  });

  it('challenges as RFC 6750 §3 says: the scheme alone without a token, invalid_token with a reason for a bad one', async () => {
    const none = await server.request('/oidc/userinfo');
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.equal('Bearer realm="otpledger"');
    expect(none.body).to.deep.equal({ error: 'invalid_token', error_description: 'a Bearer access token is required' });

    const forged = await get('/oidc/userinfo', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln');
    expect(forged.status).to.equal(401);
    expect(forged.headers.get('www-authenticate')).to.equal(
      'Bearer realm="otpledger", error="invalid_token", error_description="the token is malformed or its signature is not valid"',
    );
    expect(forged.body.error).to.equal('invalid_token');

    // an id_token or a refresh token is no access token; a client token names no user
    const session = await signIn(server);
    for (const token of [session.id_token, session.refresh_token]) {
      const response = await get('/oidc/userinfo', token);
      expect(response.status).to.equal(401);
      expect(response.headers.get('www-authenticate')).to.match(/^Bearer realm="otpledger", error="invalid_token"/);
    }
    const client = await server.token({ grant_type: 'client_credentials', ...clientForm(clients.web.clientId) });
    const withClientToken = await get('/oidc/userinfo', client.body.access_token);
    expect(withClientToken.status).to.equal(401);
    expect(withClientToken.body).to.deep.equal({ error: 'invalid_token', error_description: 'a user access token is required' });
  });

  it('refuses the access token of a revoked session at once, though it has not expired', async () => {
    const session = await signIn(server);
    expect((await get('/oidc/userinfo', session.access_token)).status).to.equal(200);
    await server.cradle.tokens.revokeSession(session.session_id, { clientId: clients.web.clientId, tokenJti: 'test' }, {});
    const revoked = await get('/oidc/userinfo', session.access_token);
    expect(revoked.status).to.equal(401);
    expect(revoked.body).to.deep.equal({ error: 'invalid_token', error_description: 'the session has been revoked' });
    expect(revoked.headers.get('www-authenticate')).to.include('error="invalid_token"');
  });

  it('refuses an expired access token', async () => {
    const session = await signIn(server);
    server.clock.advance(3601);
    const expired = await get('/oidc/userinfo', session.access_token);
    expect(expired.status).to.equal(401);
    expect(expired.body).to.deep.equal({ error: 'invalid_token', error_description: 'the token has expired' });
  });
});
