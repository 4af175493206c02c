import { expect } from 'chai';
import { decodeJwt } from 'jose';
import type { IssueAuthorizationCodeRequest } from '../../../../core/oidc/authorizationCodes.js';
import { clientForm, clients, redirectUri, startOidcServer, tenantId, type OidcServer } from '../../../support/oidcServer.js';

describe('POST /oidc/token: authorization_code', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer()));
  after(() => server.close());

  let phoneSeq = 200;
  const newPhone = () => `+1415555${String(phoneSeq++).padStart(4, '0')}`;

  async function knownUser(clientId: string = clients.web.clientId) {
    const phoneNumber = newPhone();
    const { user } = await server.cradle.users.createOrAddToApp(tenantId, clientId, { phoneNumber }, {});
    return { userId: user.userId, phoneNumber };
  }

  function issueCode(request: Partial<IssueAuthorizationCodeRequest> & { phoneNumber: string }) {
    return server.cradle.authorizationCodes.issue({
      tenantId,
      clientId: clients.web.clientId,
      redirectUri,
      createNewUser: false,
      metadata: { actor: 'test' },
      ...request,
    });
  }

  const exchange = (code: string, clientId: string = clients.web.clientId, redirect = redirectUri) =>
    server.token({ grant_type: 'authorization_code', code, redirect_uri: redirect, ...clientForm(clientId) });

  it('exchanges a code for tokens, and verifies the phone on this first SMS login', async () => {
    const { userId, phoneNumber } = await knownUser();
    expect((await server.cradle.users.getUser(tenantId, userId))!.phoneNumberVerified).to.equal(false);

    const response = await exchange(await issueCode({ userId, phoneNumber }));
    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(response.body).to.have.keys('access_token', 'id_token', 'refresh_token', 'token_type', 'expires_in', 'scope', 'session_id');
    expect(response.body.scope).to.equal('openid profile email phone');
    expect(decodeJwt(response.body.id_token)).to.include({
      sub: userId,
      aud: clients.web.clientId,
      phone_number: phoneNumber,
      phone_number_verified: true,
      sid: response.body.session_id,
    });
    expect(decodeJwt(response.body.refresh_token)).to.include({
      token_use: 'refresh',
      sid: response.body.session_id,
      client_id: clients.web.clientId,
    });
    expect((await server.cradle.users.getUser(tenantId, userId))!.phoneNumberVerified).to.equal(true);
  });

  it('refuses a code a second time, and revokes the tokens of its first redemption (RFC 6749 §4.1.2)', async () => {
    const user = await knownUser();
    const code = await issueCode(user);
    const first = await exchange(code);
    expect(first.status).to.equal(200);
    const userinfo = () => server.request('/oidc/userinfo', { headers: { Authorization: `Bearer ${first.body.access_token}` } });
    expect((await userinfo()).status).to.equal(200);

    const again = await exchange(code);
    expect(again.status).to.equal(400);
    expect(again.body).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'the authorization code has already been used; the tokens issued for it are revoked',
    });
    // the access token and the refresh token of the first redemption are dead
    expect((await userinfo()).status).to.equal(401);
    const refresh = await server.token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token,
      ...clientForm(clients.web.clientId),
    });
    expect(refresh.status).to.equal(400);
    expect(refresh.body.error).to.equal('invalid_grant');
    const session = await server.cradle.eventStore.readStream(`session-${first.body.session_id}`);
    expect(session.map((event) => event.type)).to.deep.equal(['SessionStarted', 'TokensIssued', 'SessionRevoked']);
    expect(session[2]!.data).to.deep.equal({ reason: 'authorization_code_replay' });
  });

  it('PKCE S256: a code issued with a challenge needs its verifier; a public client must use PKCE', async () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 appendix B
    const code = await issueCode({ ...(await knownUser()), codeChallenge: challenge });
    const without = await exchange(code);
    expect(without.status).to.equal(400);
    expect(without.body).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'code_verifier is required: the code was issued with a code_challenge',
    });
    const wrong = await server.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: 'x'.repeat(43),
      ...clientForm(clients.web.clientId),
    });
    expect(wrong.body.error_description).to.equal('code_verifier does not match the code_challenge');
    const right = await server.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      ...clientForm(clients.web.clientId),
    });
    expect(right.status).to.equal(200);

    const plainCode = await issueCode(await knownUser());
    const unexpected = await server.token({
      grant_type: 'authorization_code',
      code: plainCode,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      ...clientForm(clients.web.clientId),
    });
    expect(unexpected.body.error_description).to.equal('code_verifier was sent, but the code was issued without a code_challenge');

    const publicCode = await issueCode({ clientId: clients.mobile.clientId, ...(await knownUser(clients.mobile.clientId)) });
    const publicExchange = await server.token({
      grant_type: 'authorization_code',
      code: publicCode,
      redirect_uri: redirectUri,
      client_id: clients.mobile.clientId,
    });
    expect(publicExchange.status).to.equal(400);
    expect(publicExchange.body.error_description).to.equal('a public client must use PKCE: the code was issued without a code_challenge');
    const publicPkce = await issueCode({
      clientId: clients.mobile.clientId,
      ...(await knownUser(clients.mobile.clientId)),
      codeChallenge: challenge,
    });
    const publicOk = await server.token({
      grant_type: 'authorization_code',
      code: publicPkce,
      redirect_uri: redirectUri,
      client_id: clients.mobile.clientId,
      code_verifier: verifier,
    });
    expect(publicOk.status).to.equal(200);
  });

  it('refuses another redirect_uri, another client, an unknown code and an expired code', async () => {
    const code = await issueCode(await knownUser());
    const wrongRedirect = await exchange(code, clients.web.clientId, 'https://acme.example/other');
    expect(wrongRedirect.status).to.equal(400);
    expect(wrongRedirect.body.error).to.equal('invalid_grant');
    expect(wrongRedirect.body.error_description).to.match(/redirect_uri/);

    const otherClient = await exchange(code, clients.closed.clientId);
    expect(otherClient.status).to.equal(400);
    expect(otherClient.body.error).to.equal('invalid_grant');

    const unknown = await exchange('not-a-code');
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error).to.equal('invalid_grant');

    const expiring = await issueCode(await knownUser());
    server.clock.advance(60);
    try {
      const expired = await exchange(expiring);
      expect(expired.status).to.equal(400);
      expect(expired.body).to.deep.equal({ error: 'invalid_grant', error_description: 'the authorization code has expired' });
    } finally {
      server.clock.advance(-60);
    }
    // refusals record nothing: the code still works for its own client and redirect_uri
    expect((await exchange(code)).status).to.equal(200);
  });

  it('redeems one of 20 parallel presentations of one code; the 19 replays leave none of its tokens alive', async () => {
    const code = await issueCode(await knownUser());
    const responses = await Promise.all(Array.from({ length: 20 }, () => exchange(code)));
    const statuses = responses.map((response) => response.status);
    // the winner may answer 200 before a replay revokes its session, or lose its session start to the revocation
    expect(statuses.filter((status) => status === 200).length).to.be.at.most(1);
    expect(statuses.filter((status) => status === 400).length).to.be.at.least(19);
    for (const response of responses.filter((r) => r.status === 400)) expect(response.body.error).to.equal('invalid_grant');
    const events = [];
    for await (const event of server.cradle.eventStore.readAll({
      filter: { streamPrefixes: ['authcode-'], eventTypes: ['AuthorizationCodeRedeemed', 'AuthorizationCodeReplayed'] },
    }))
      events.push(event);
    const recent = events.slice(-20);
    expect(recent.filter((event) => event.type === 'AuthorizationCodeRedeemed')).to.have.length(1);
    expect(recent.filter((event) => event.type === 'AuthorizationCodeReplayed')).to.have.length(19);
    const sid = (recent.find((event) => event.type === 'AuthorizationCodeRedeemed')!.data as { sid: string }).sid;
    expect(await server.cradle.tokens.isSessionActive(sid)).to.equal(false);
  });

  it('creates the user at the exchange when the login asked for it and the app allows sign-up', async () => {
    const phoneNumber = newPhone();
    const response = await exchange(await issueCode({ phoneNumber, createNewUser: true }));
    expect(response.status).to.equal(200);
    const { sub } = decodeJwt(response.body.id_token);
    const user = await server.cradle.users.findUser(tenantId, 'phone_number', phoneNumber);
    expect(user).to.include({ userId: sub, phoneNumber, phoneNumberVerified: true });
    expect(user!.apps).to.deep.equal([clients.web.clientId]);
  });

  it('creates no user when the app does not allow sign-up, or the login did not ask for it', async () => {
    const closedPhone = newPhone();
    const closedCode = await issueCode({ clientId: clients.closed.clientId, phoneNumber: closedPhone, createNewUser: true });
    const closed = await exchange(closedCode, clients.closed.clientId);
    expect(closed.status).to.equal(400);
    expect(closed.body.error).to.equal('invalid_grant');
    expect(await server.cradle.users.findUser(tenantId, 'phone_number', closedPhone)).to.equal(undefined);

    const unaskedPhone = newPhone();
    const unasked = await exchange(await issueCode({ phoneNumber: unaskedPhone, createNewUser: false }));
    expect(unasked.status).to.equal(400);
    expect(unasked.body.error).to.equal('invalid_grant');
    expect(await server.cradle.users.findUser(tenantId, 'phone_number', unaskedPhone)).to.equal(undefined);
  });

  it('records the code only as a hash, and its redemption', async () => {
    const code = await issueCode(await knownUser());
    await exchange(code);
    const events = [];
    for await (const event of server.cradle.eventStore.readAll({ filter: { streamPrefixes: ['authcode-'] } })) events.push(event);
    expect(events.map((event) => event.type)).to.include.members(['AuthorizationCodeIssued', 'AuthorizationCodeRedeemed']);
    expect(JSON.stringify(events)).to.not.include(code);
  });
});
