import { expect } from 'chai';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
} from 'jose';
import { parseSigningKeys } from '../../core/config/signingKeys.js';
import { auth0TokenRoutes } from '../../core/http/routes/auth0/token.js';
import { JwtSigner } from '../../core/oidc/jwtSigner.js';
import { clientForm, clients, redirectUri, startOidcServer, tenantId, type OidcServer } from '../support/oidcServer.js';

/**
 * Which key signs which token: id_tokens by the application's `id_token_signed_response_alg` (ES256 unset, RS256 on
 * the Auth0 dialect unset), access and refresh tokens always ES256; several keys per algorithm for rotation.
 */
describe('signing keys and the id_token algorithm', () => {
  let server: OidcServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  before(async () => {
    server = await startOidcServer({ extraRoutes: [auth0TokenRoutes] });
    jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`));
  });
  after(() => server.close());

  let phoneSeq = 0;
  async function codeFor(clientId: string) {
    const phoneNumber = `+1415557${String(phoneSeq++).padStart(4, '0')}`;
    const { user } = await server.cradle.users.createOrAddToApp(tenantId, clientId, { phoneNumber }, {});
    return server.cradle.authorizationCodes.issue({
      tenantId,
      clientId,
      redirectUri,
      createNewUser: false,
      userId: user.userId,
      phoneNumber,
      metadata: { actor: 'test' },
    });
  }
  const exchange = async (clientId: string, path = '/oidc/token') => {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: await codeFor(clientId),
      redirect_uri: redirectUri,
      ...clientForm(clientId),
    });
    return server.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  };
  const refreshAt = (path: string, clientId: string, refreshToken: string) =>
    server.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...clientForm(clientId) }).toString(),
    });
  const kidOf = (alg: string) => server.cradle.secrets.signingKeys.find((key) => key.alg === alg)!.kid;

  it('signs the id_token of an application that asks for RS256 with the RSA key, at the code exchange and at each refresh', async () => {
    const tokens = await exchange(clients.rs256.clientId);
    expect(tokens.status, JSON.stringify(tokens.body)).to.equal(200);
    const { protectedHeader } = await jwtVerify(tokens.body.id_token, jwks, { issuer: server.url, audience: clients.rs256.clientId });
    expect(protectedHeader).to.deep.equal({ alg: 'RS256', kid: kidOf('RS256'), typ: 'JWT' });
    // what is meant for otpledger alone stays ES256
    expect(decodeProtectedHeader(tokens.body.access_token)).to.include({ alg: 'ES256', kid: kidOf('ES256') });
    expect(decodeProtectedHeader(tokens.body.refresh_token)).to.include({ alg: 'ES256' });

    const refreshed = await refreshAt('/oidc/token', clients.rs256.clientId, tokens.body.refresh_token);
    expect(refreshed.status).to.equal(200);
    expect((await jwtVerify(refreshed.body.id_token, jwks, { audience: clients.rs256.clientId })).protectedHeader.alg).to.equal('RS256');
  });

  it("signs ES256 for an application that chose nothing at /oidc/token, and RS256 at Auth0's /oauth/token, as Auth0 does", async () => {
    const tokens = await exchange(clients.web.clientId);
    expect((await jwtVerify(tokens.body.id_token, jwks, { audience: clients.web.clientId })).protectedHeader).to.include({
      alg: 'ES256',
      kid: kidOf('ES256'),
    });
    const atAuth0 = await refreshAt('/oauth/token', clients.web.clientId, tokens.body.refresh_token);
    expect(atAuth0.status).to.equal(200);
    expect((await jwtVerify(atAuth0.body.id_token, jwks, { audience: clients.web.clientId })).protectedHeader).to.include({
      alg: 'RS256',
      kid: kidOf('RS256'),
    });
    const back = await refreshAt('/oidc/token', clients.web.clientId, atAuth0.body.refresh_token);
    expect(decodeProtectedHeader(back.body.id_token).alg).to.equal('ES256');
  });

  describe('several keys (OTPLEDGER_SIGNING_KEY as a JWK Set)', () => {
    const issuer = 'https://login.example/';
    const jwk = async (alg: 'ES256' | 'RS256', kid: string) => ({
      ...(await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)),
      kid,
    });
    async function keySet() {
      return [await jwk('ES256', 'ec-2026'), await jwk('ES256', 'ec-2025'), await jwk('RS256', 'rsa-2026'), await jwk('RS256', 'rsa-2025')];
    }
    const signerOf = async (jwks: object[]) => {
      const signingKeys = await parseSigningKeys(JSON.stringify({ keys: jwks }));
      return {
        signingKeys,
        signer: new JwtSigner({
          secrets: { signingKeys, signingKey: signingKeys.find((key) => key.alg === 'ES256')! },
          clock: { now: () => new Date() },
          issuer,
        }),
      };
    };

    it('serves every key under its kid; the first of each algorithm signs, the others still verify what they signed', async () => {
      const { signingKeys, signer } = await signerOf(await keySet());
      const served = signer.jwks() as JSONWebKeySet;
      expect(served.keys.map((key) => `${key.kid} ${key.alg}`)).to.deep.equal([
        'ec-2026 ES256',
        'ec-2025 ES256',
        'rsa-2026 RS256',
        'rsa-2025 RS256',
      ]);
      for (const key of served.keys) expect(key).to.not.have.property('d');
      expect(signer.algorithms()).to.deep.equal(['ES256', 'RS256']);

      const now = new Date();
      const es = await signer.sign({ aud: 'x' }, { now, ttlSeconds: 60, typ: 'JWT' });
      const rs = await signer.sign({ aud: 'x' }, { now, ttlSeconds: 60, typ: 'JWT', alg: 'RS256' });
      expect(decodeProtectedHeader(es)).to.include({ alg: 'ES256', kid: 'ec-2026' });
      expect(decodeProtectedHeader(rs)).to.include({ alg: 'RS256', kid: 'rsa-2026' });
      const publicSet = createLocalJWKSet(served);
      for (const token of [es, rs]) expect((await jwtVerify(token, publicSet, { issuer, audience: 'x' })).payload.iss).to.equal(issuer);

      // a token signed by a key that no longer signs (the previous one of a rotation) still verifies
      for (const old of signingKeys.filter((key) => key.kid.endsWith('2025'))) {
        const token = await new SignJWT({ aud: 'x' })
          .setProtectedHeader({ alg: old.alg, kid: old.kid, typ: 'JWT' })
          .setIssuer(issuer)
          .setIssuedAt()
          .setExpirationTime('1m')
          .sign(old.privateKey);
        expect(await signer.verify(token, { audience: 'x', typ: 'JWT' })).to.include({ iss: issuer });
      }
    });

    it('without an RSA key, serves and advertises ES256 only, and signs what asks for RS256 with ES256', async () => {
      const { signer } = await signerOf([await jwk('ES256', 'ec-2026')]);
      expect(signer.algorithms()).to.deep.equal(['ES256']);
      const token = await signer.sign({ aud: 'x' }, { now: new Date(), ttlSeconds: 60, typ: 'JWT', alg: 'RS256' });
      expect(decodeProtectedHeader(token)).to.include({ alg: 'ES256', kid: 'ec-2026' });
    });
  });
});
