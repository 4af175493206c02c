import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { basicAuth, clientForm, clients, secretOf, startOidcServer, tenantId, type OidcServer } from '../../../support/oidcServer.js';

describe('POST /oidc/token: client_credentials and client authentication', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer()));
  after(() => server.close());

  const { clientId } = clients.web;

  it('issues a client token to HTTP Basic credentials', async () => {
    const response = await server.token({ grant_type: 'client_credentials' }, { basic: [clientId, secretOf(clientId)] });
    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(response.body).to.have.keys('access_token', 'token_type', 'expires_in');
    expect(response.body).to.include({ token_type: 'Bearer', expires_in: 3600 });

    const claims = decodeJwt(response.body.access_token);
    expect(claims).to.include({
      iss: server.url,
      sub: clientId,
      aud: server.url,
      client_id: clientId,
      tenant_id: tenantId,
      role: 'app',
      token_use: 'client',
    });
    expect(claims.exp! - claims.iat!).to.equal(3600);
    expect(claims.jti).to.be.a('string');
    expect(decodeProtectedHeader(response.body.access_token)).to.deep.equal({
      alg: 'ES256',
      kid: server.cradle.secrets.signingKey.kid,
      typ: 'at+jwt',
    });
    expect(await server.cradle.tokens.verifyAccessToken(response.body.access_token)).to.include({ token_use: 'client', role: 'app' });
  });

  it('issues a client token to credentials in the form, and in a JSON body', async () => {
    const form = await server.token({ grant_type: 'client_credentials', ...clientForm(clientId) });
    expect(form.status).to.equal(200);
    const json = await server.token({ grant_type: 'client_credentials', ...clientForm(clients.admin.clientId) }, { json: true });
    expect(json.status).to.equal(200);
    expect(decodeJwt(json.body.access_token)).to.include({ sub: clients.admin.clientId, role: 'management' });
  });

  it('accepts the same credentials given both ways, and client_id alone beside Basic', async () => {
    const both = await server.token(
      { grant_type: 'client_credentials', ...clientForm(clientId) },
      { basic: [clientId, secretOf(clientId)] },
    );
    expect(both.status).to.equal(200);
    const idOnly = await server.token({ grant_type: 'client_credentials', client_id: clientId }, { basic: [clientId, secretOf(clientId)] });
    expect(idOnly.status).to.equal(200);
  });

  it('decodes form-urlencoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    const odd = { clientId: 'acme-odd', secret: 'a:b c+d%e/é' };
    await server.cradle.applications.ensure(
      tenantId,
      odd.clientId,
      odd.secret,
      {
        name: 'odd',
        role: 'app',
        redirect_uris: [],
        public_signup: false,
        otp: { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 },
      },
      { actor: 'test' },
    );
    const response = await server.token({ grant_type: 'client_credentials' }, { basic: [odd.clientId, odd.secret] });
    expect(response.status).to.equal(200);
  });

  it('answers a wrong secret with 401 invalid_client, and a Basic challenge when Basic was used', async () => {
    const basic = await server.token({ grant_type: 'client_credentials' }, { basic: [clientId, 'wrong'] });
    expect(basic.status).to.equal(401);
    expect(basic.body).to.deep.equal({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect(basic.headers.get('www-authenticate')).to.match(/^Basic /);
    expect(basic.headers.get('cache-control')).to.equal('no-store');

    const form = await server.token({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' });
    expect(form.status).to.equal(401);
    expect(form.body.error).to.equal('invalid_client');
    expect(form.headers.get('www-authenticate')).to.equal(null);
  });

  it('answers an unknown client exactly like a wrong secret', async () => {
    const unknown = await server.token({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'wrong' });
    expect(unknown.status).to.equal(401);
    expect(unknown.body).to.deep.equal({ error: 'invalid_client', error_description: 'client authentication failed' });
  });

  it('refuses a request without client authentication, or with a secret but no client_id', async () => {
    const forms: Record<string, string>[] = [{}, { client_secret: secretOf(clientId) }, { client_id: clientId }];
    for (const form of forms) {
      const response = await server.token({ grant_type: 'client_credentials', ...form });
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('invalid_client');
    }
  });

  it('refuses credentials given both ways when they differ: invalid_request', async () => {
    const secrets = await server.token(
      { grant_type: 'client_credentials', ...clientForm(clients.admin.clientId) },
      { basic: [clientId, secretOf(clientId)] },
    );
    expect(secrets.status).to.equal(400);
    expect(secrets.body.error).to.equal('invalid_request');
    const ids = await server.token(
      { grant_type: 'client_credentials', client_id: clients.admin.clientId },
      { basic: [clientId, secretOf(clientId)] },
    );
    expect(ids.status).to.equal(400);
  });

  it('refuses malformed Basic credentials as invalid_client', async () => {
    const response = await server.request('/oidc/token', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from('no-colon').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).to.equal(401);
    expect(response.body.error).to.equal('invalid_client');
    expect(basicAuth('a', 'b')).to.equal(`Basic ${Buffer.from('a:b').toString('base64')}`);
  });

  it('answers an unknown grant_type with unsupported_grant_type', async () => {
    const response = await server.token(
      { grant_type: 'password', username: 'u', password: 'p' },
      { basic: [clientId, secretOf(clientId)] },
    );
    expect(response.status).to.equal(400);
    expect(response.body).to.deep.equal({ error: 'unsupported_grant_type', error_description: 'grant_type password is not supported' });
  });

  it('answers a missing grant_type, or a missing grant parameter, with invalid_request', async () => {
    const noGrant = await server.token(clientForm(clientId));
    expect(noGrant.status).to.equal(400);
    expect(noGrant.body.error).to.equal('invalid_request');
    expect(noGrant.body.error_description).to.match(/grant_type is required/);

    // RFC 6749 §3.2: an empty parameter counts as omitted
    const noRedirect = await server.token({ grant_type: 'authorization_code', code: 'x', redirect_uri: '', ...clientForm(clientId) });
    expect(noRedirect.status).to.equal(400);
    expect(noRedirect.body.error).to.equal('invalid_request');
    expect(noRedirect.body.error_description).to.match(/redirect_uri is required/);
  });

  it('ignores parameters it does not know (RFC 6749 §3.2)', async () => {
    const response = await server.token({ grant_type: 'client_credentials', scope: 'anything', ...clientForm(clientId) });
    expect(response.status).to.equal(200);
  });
});
