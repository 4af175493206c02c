import { expect } from 'chai';
import { SignJWT } from 'jose';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

/**
 * Tokens signed with the server's own key, so the signature, issuer, audience and expiry all pass: only
 * the claims' types are wrong. Each must be refused as a token, never reach a query (which answered 500).
 */
describe('the claims of every verified token are checked against a schema', function () {
  this.timeout(20_000);
  let t: TestServer;

  before(async () => {
    t = await startOtpServer();
  });
  after(() => t.close());

  async function sign(claims: Record<string, unknown>, typ = 'at+jwt'): Promise<string> {
    const { secrets, issuer } = t.server.container.cradle;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: issuer, aud: issuer, iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: secrets.signingKey.kid, typ })
      .sign(secrets.signingKey.privateKey);
  }

  const management = { token_use: 'client', jti: 'j', sub: 'acme-admin', client_id: 'acme-admin', tenant_id: 'acme', role: 'management' };
  const session = { jti: 'j', sub: 'u', client_id: 'acme-web', tenant_id: 'acme', sid: 's' };

  it('admits a well-formed client token (the forging works)', async () => {
    expect((await t.get('/admin/v1/applications', await sign(management))).status).to.equal(200);
  });

  it('answers 401 invalid_token to an access token whose claims have the wrong types or kind', async () => {
    const bad: Record<string, Record<string, unknown>> = {
      'tenant_id is an object': { ...management, tenant_id: { $gt: '' } },
      'tenant_id is an array': { ...management, tenant_id: ['acme'] },
      'tenant_id is not a tenant id': { ...management, tenant_id: "acme' OR 1=1 --" },
      'client_id is a number': { ...management, client_id: 7 },
      'role is unknown': { ...management, role: 'root' },
      'jti is missing': { ...management, jti: undefined },
      'aud is a list': { ...management, aud: [t.server.container.cradle.issuer, 'x'] },
      'exp is a string': { ...management, exp: '9999999999' },
      'token_use is refresh': { ...management, token_use: 'refresh', sid: 's' },
    };
    for (const [what, claims] of Object.entries(bad)) {
      const response = await t.get('/admin/v1/applications', await sign(claims));
      expect(response.status, what).to.equal(401);
      expect(response.body.error, what).to.equal('invalid_token');
    }
    // a user token whose session id is an object: refused before the session is looked up
    const user = await t.get('/admin/v1/applications', await sign({ ...session, token_use: 'user', sid: { a: 1 } }));
    expect(user.status).to.equal(401);
  });

  it('answers invalid_grant to a refresh token whose claims have the wrong types', async () => {
    for (const claims of [
      { ...session, token_use: 'refresh', tenant_id: {} },
      { ...session, token_use: 'refresh', sid: ['s'] },
      { ...session, token_use: 'refresh', sub: { id: 1 } },
    ]) {
      const response = await fetch(`${t.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: await sign(claims, 'JWT'),
          client_id: 'acme-web',
          client_secret: 'acme-web-secret',
        }),
      });
      const body = (await response.json()) as { error: string; error_description: string };
      expect(response.status).to.equal(400);
      expect(body.error).to.equal('invalid_grant');
      // refused as a token, before its claims are used to look up a user or a session
      expect(body.error_description).to.match(/^invalid refresh token: the token's claims are not valid: \//);
    }
  });

  it('answers 400 to a redirect link whose claims are not a redirect link', async () => {
    for (const claims of [
      { token_use: 'redirect', redirect_uri: { href: 'https://evil.example' }, code: 'c' },
      { token_use: 'redirect', redirect_uri: 'not a url', code: 'c' },
      { token_use: 'redirect', redirect_uri: 'https://acme.example/verify', code: 7 },
    ]) {
      const response = await fetch(`${t.url}/cis/v1/auth/otp/sms/redirect?token=${await sign(claims, 'JWT')}`, { redirect: 'manual' });
      expect(response.status).to.equal(400);
    }
    // the well-formed link still redirects
    const good = await fetch(
      `${t.url}/cis/v1/auth/otp/sms/redirect?token=${await sign({ token_use: 'redirect', redirect_uri: 'https://acme.example/verify', code: 'c' }, 'JWT')}`,
      { redirect: 'manual' },
    );
    expect(good.status).to.equal(302);
    expect(good.headers.get('location')).to.equal(`https://acme.example/verify?code=c&iss=${encodeURIComponent(t.url)}`);
  });
});
