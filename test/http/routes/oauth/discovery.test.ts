import { expect } from 'chai';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { clients, startOidcServer, tenantId, type OidcServer } from '../../../support/oidcServer.js';

describe('OIDC discovery and JWKS', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer()));
  after(() => server.close());

  it('serves the provider metadata, named after the URL the server listens on', async () => {
    const response = await server.request('/.well-known/openid-configuration');
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.include({
      issuer: server.url,
      token_endpoint: `${server.url}/oidc/token`,
      jwks_uri: `${server.url}/oidc/jwks`,
      userinfo_endpoint: `${server.url}/oidc/userinfo`,
      revocation_endpoint: `${server.url}/oidc/revoke`,
      introspection_endpoint: `${server.url}/oidc/introspect`,
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(response.body.grant_types_supported).to.have.members([
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'http://auth0.com/oauth/grant-type/passwordless/otp',
    ]);
    expect(response.body.claims_supported).to.include.members(['sub', 'phone_number', 'phone_number_verified', 'sid', 'nonce']);
    expect(response.body.scopes_supported).to.include.members(['openid', 'phone', 'offline_access']);
  });

  it('keeps an issuer with a trailing slash exactly as configured, and names endpoints without a double slash', async () => {
    const slashed = await startOidcServer({ issuer: 'https://tenant.example/' });
    try {
      const { body } = await slashed.request('/.well-known/openid-configuration');
      expect(body).to.deep.include({
        issuer: 'https://tenant.example/',
        token_endpoint: 'https://tenant.example/oidc/token',
        jwks_uri: 'https://tenant.example/oidc/jwks',
      });
      const token = await slashed.token({
        grant_type: 'client_credentials',
        client_id: clients.web.clientId,
        client_secret: `${clients.web.clientId}-secret`,
      });
      expect(decodeJwt(token.body.access_token)).to.include({ iss: 'https://tenant.example/', aud: 'https://tenant.example/' });
      // and verifies what it signed, under that issuer
      const user = await slashed.request('/oidc/userinfo', { headers: { Authorization: `Bearer ${token.body.access_token}` } });
      expect(user.status).to.equal(401);
      expect(user.body.error_description).to.equal('a user access token is required');
    } finally {
      await slashed.close();
    }
  });

  it('serves every signing key (the development pair: ES256 and RS256), public parts only, at /oidc/jwks and /.well-known/jwks.json', async () => {
    const { signingKeys } = server.cradle.secrets;
    expect(signingKeys.map((key) => key.alg)).to.deep.equal(['ES256', 'RS256']);
    for (const path of ['/oidc/jwks', '/.well-known/jwks.json']) {
      const response = await server.request(path);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^application\/jwk-set\+json/);
      const [ec, rsa, ...others] = response.body.keys;
      expect(others).to.deep.equal([]);
      expect(ec).to.include({ kty: 'EC', crv: 'P-256', kid: signingKeys[0]!.kid, alg: 'ES256', use: 'sig' });
      expect(rsa).to.include({ kty: 'RSA', e: 'AQAB', kid: signingKeys[1]!.kid, alg: 'RS256', use: 'sig' });
      for (const key of [ec, rsa]) for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).to.not.have.property(part);
    }
  });

  it('signs id tokens and access tokens that any OIDC library verifies against the served JWKS', async () => {
    const { cradle } = server;
    const discovery = (await server.request('/.well-known/openid-configuration')).body;
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { user } = await cradle.users.createOrAddToApp(
      tenantId,
      clients.web.clientId,
      { phoneNumber: '+14155550101', email: 'ada@example.com' },
      {},
    );
    const verified = await cradle.users.verifyPhone(tenantId, user.userId, '+14155550101', 'login', {});
    const app = (await cradle.applications.get(clients.web.clientId))!;
    const tokens = await cradle.tokens.startSession({ app, user: verified, amr: ['otp', 'sms'], metadata: {} });

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, {
      issuer: discovery.issuer,
      audience: clients.web.clientId,
    });
    expect(protectedHeader).to.include({ alg: 'ES256', kid: cradle.secrets.signingKey.kid });
    expect(payload).to.include({
      iss: server.url,
      sub: user.userId,
      aud: clients.web.clientId,
      sid: tokens.session_id,
      phone_number: '+14155550101',
      phone_number_verified: true,
      email: 'ada@example.com',
    });
    expect(payload.amr).to.deep.equal(['otp', 'sms']);
    expect(payload.exp! - payload.iat!).to.equal(3600);

    const access = await jwtVerify(tokens.access_token, jwks, { issuer: discovery.issuer, audience: server.url, typ: 'at+jwt' });
    expect(access.payload).to.include({
      sub: user.userId,
      client_id: clients.web.clientId,
      tenant_id: tenantId,
      token_use: 'user',
      sid: tokens.session_id,
    });
  });
});
