import { expect } from 'chai';
import * as client from 'openid-client';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

const REDIRECT = 'https://acme.example/verify';

/**
 * openid-client 6, unchanged, against a real listening otpledger: discovery, client_credentials (Basic and
 * post), the redirect SMS login with PKCE + state + nonce, refresh with rotation, userinfo, revocation and
 * introspection. Plain HTTP on 127.0.0.1 is the one thing allowed that a production client would not allow
 * (`allowInsecureRequests`); the Auth0 SDK suite runs over TLS.
 */
describe('openid-client 6 against otpledger', function () {
  this.timeout(30_000);
  let t: TestServer;
  let web: client.Configuration;
  let admin: client.Configuration;
  let phoneSeq = 0;
  const newPhone = () => `+1512555${String(3000 + phoneSeq++).padStart(4, '0')}`;
  const discover = (clientId: string, auth: client.ClientAuth) =>
    client.discovery(new URL(t.url), clientId, undefined, auth, { execute: [client.allowInsecureRequests] });

  before(async () => {
    t = await startOtpServer();
    web = await discover('acme-web', client.ClientSecretBasic('acme-web-secret'));
    admin = await discover('acme-admin', client.ClientSecretPost('acme-admin-secret'));
  });
  after(() => t.close());

  /** The redirect login as a web app's backend drives it, with openid-client's PKCE, state and nonce. */
  async function redirectLogin(checks: { state: string; nonce: string; verifier: string }) {
    const { access_token: appToken } = await client.clientCredentialsGrant(web);
    const phone = newPhone();
    expect((await t.post('/cis/v1/users', { phone_number: phone }, appToken)).status).to.equal(201);
    const sent = await t.post(
      '/cis/v1/auth/otp/sms',
      {
        phone_number: phone,
        redirect_uri: REDIRECT,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
      },
      appToken,
    );
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    const validated = await t.post(
      '/cis/v1/auth/otp/sms/validation',
      { phone_number: phone, passcode: (await t.lastSms(phone)).code },
      appToken,
    );
    expect(validated.status).to.equal(200);
    const redirect = await fetch(validated.body.result, { redirect: 'manual' });
    expect(redirect.status).to.equal(302);
    return { phone, callback: new URL(redirect.headers.get('location')!) };
  }

  it('discovers the provider: every endpoint and what it supports', () => {
    const metadata = web.serverMetadata();
    expect(metadata.issuer).to.equal(t.url);
    expect(metadata.supportsPKCE()).to.equal(true);
    expect(metadata).to.include({
      userinfo_endpoint: `${t.url}/oidc/userinfo`,
      revocation_endpoint: `${t.url}/oidc/revoke`,
      introspection_endpoint: `${t.url}/oidc/introspect`,
    });
  });

  it('client_credentials with client_secret_basic and with client_secret_post', async () => {
    const basic = await client.clientCredentialsGrant(web);
    expect(basic).to.include({ token_type: 'bearer' });
    expect(basic.expiresIn()).to.be.greaterThan(3500);
    const post = await client.clientCredentialsGrant(admin);
    expect(post.access_token).to.be.a('string');
  });

  it('a wrong secret: openid-client gets 401 with the Basic challenge (Basic) and invalid_client in the body (post)', async () => {
    const wrongBasic = await discover('acme-web', client.ClientSecretBasic('wrong'));
    const basic = await client.clientCredentialsGrant(wrongBasic).catch((e: unknown) => e);
    expect(basic).to.be.instanceOf(client.WWWAuthenticateChallengeError).and.to.include({ status: 401 });
    expect((basic as client.WWWAuthenticateChallengeError).cause[0]).to.include({ scheme: 'basic' });
    const wrongPost = await discover('acme-web', client.ClientSecretPost('wrong'));
    const post = await client.clientCredentialsGrant(wrongPost).catch((e: unknown) => e);
    expect(post).to.be.instanceOf(client.ResponseBodyError).and.to.include({ error: 'invalid_client', status: 401 });
  });

  it('the redirect login: PKCE S256, state and nonce checked by openid-client, then userinfo', async () => {
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const { phone, callback } = await redirectLogin(checks);
    expect(callback.searchParams.get('state')).to.equal(checks.state);
    expect(callback.searchParams.get('iss')).to.equal(t.url);

    const tokens = await client.authorizationCodeGrant(web, callback, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).to.include({ nonce: checks.nonce, phone_number: phone, phone_number_verified: true, aud: 'acme-web' });
    const info = await client.fetchUserInfo(web, tokens.access_token, claims.sub);
    expect(info).to.deep.equal({ sub: claims.sub, phone_number: phone, phone_number_verified: true });
  });

  it('PKCE is S256 only: plain, or a challenge without a method (RFC 7636 reads it as plain), is refused before any SMS is sent', async () => {
    const { access_token: appToken } = await client.clientCredentialsGrant(web);
    const phone = newPhone();
    expect((await t.post('/cis/v1/users', { phone_number: phone }, appToken)).status).to.equal(201);
    const verifier = client.randomPKCECodeVerifier();
    const login = (pkce: Record<string, string>) =>
      t.post('/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: REDIRECT, state: client.randomState(), ...pkce }, appToken);
    const plain = await login({ code_challenge: verifier.slice(0, 43), code_challenge_method: 'plain' });
    expect(plain.status).to.equal(400);
    expect(plain.body.message).to.equal('code_challenge_method plain is not supported: use S256');
    const noMethod = await login({ code_challenge: await client.calculatePKCECodeChallenge(verifier) });
    expect(noMethod.status).to.equal(400);
    expect(noMethod.body.message).to.equal('code_challenge_method must be S256');
    const noChallenge = await login({ code_challenge_method: 'S256' });
    expect(noChallenge.status).to.equal(400);
    expect((await t.lastSms(phone)).count).to.equal(0);
  });

  it('a wrong state, or a wrong verifier, is refused', async () => {
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const { callback } = await redirectLogin(checks);
    const wrongState = await client
      .authorizationCodeGrant(web, callback, { pkceCodeVerifier: checks.verifier, expectedState: 'other' })
      .catch((e: unknown) => e);
    expect(wrongState).to.be.instanceOf(Error);
    const wrongVerifier = await client
      .authorizationCodeGrant(web, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: checks.state })
      .catch((e: unknown) => e);
    expect(wrongVerifier).to.be.instanceOf(client.ResponseBodyError).and.to.include({ error: 'invalid_grant', status: 400 });
  });

  it('refresh with rotation: the new refresh token works, the old one ends the session', async () => {
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const { callback } = await redirectLogin(checks);
    const first = await client.authorizationCodeGrant(web, callback, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const second = await client.refreshTokenGrant(web, first.refresh_token!);
    expect(second.refresh_token).to.not.equal(first.refresh_token);
    expect(second.claims()!.sub).to.equal(first.claims()!.sub);
    const reused = await client.refreshTokenGrant(web, first.refresh_token!).catch((e: unknown) => e);
    expect(reused).to.be.instanceOf(client.ResponseBodyError).and.to.include({ error: 'invalid_grant' });
    const after = await client.refreshTokenGrant(web, second.refresh_token!).catch((e: unknown) => e);
    expect(after).to.be.instanceOf(client.ResponseBodyError).and.to.include({ error: 'invalid_grant' });
  });

  it('introspection (confidential clients), then revocation of the refresh token ends the session', async () => {
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const { callback } = await redirectLogin(checks);
    const tokens = await client.authorizationCodeGrant(web, callback, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const sub = tokens.claims()!.sub;

    const active = await client.tokenIntrospection(admin, tokens.access_token);
    expect(active).to.include({ active: true, sub, client_id: 'acme-web', token_type: 'Bearer', scope: 'openid profile email phone' });
    expect(await client.tokenIntrospection(admin, tokens.refresh_token!)).to.include({ active: true, token_type: 'refresh_token' });
    expect(await client.tokenIntrospection(admin, tokens.id_token!)).to.deep.equal({ active: false });

    await client.tokenRevocation(web, tokens.refresh_token!);
    expect(await client.tokenIntrospection(admin, tokens.access_token)).to.deep.equal({ active: false });
    const userinfo = await client.fetchUserInfo(web, tokens.access_token, sub).catch((e: unknown) => e);
    expect(userinfo).to.be.instanceOf(client.WWWAuthenticateChallengeError);
    // revoking what is no longer valid is not an error (RFC 7009 §2.2)
    await client.tokenRevocation(web, tokens.refresh_token!);
    await client.tokenRevocation(web, 'not-a-token');
  });

  it('revocation of an access token (hinted as one) ends its session too', async () => {
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const { callback } = await redirectLogin(checks);
    const tokens = await client.authorizationCodeGrant(web, callback, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    await client.tokenRevocation(web, tokens.access_token, { token_type_hint: 'access_token' });
    expect(await client.tokenIntrospection(admin, tokens.refresh_token!)).to.deep.equal({ active: false });
    const refreshed = await client.refreshTokenGrant(web, tokens.refresh_token!).catch((e: unknown) => e);
    expect(refreshed).to.be.instanceOf(client.ResponseBodyError).and.to.include({ error: 'invalid_grant' });
  });
});
