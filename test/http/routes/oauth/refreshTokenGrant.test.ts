import { expect } from 'chai';
import { decodeJwt } from 'jose';
import type { SessionTokenResponse } from '../../../../core/oidc/tokenClaims.js';
import { clientForm, clients, startOidcServer, tenantId, type OidcServer } from '../../../support/oidcServer.js';

const refreshTtlSeconds = 600;

describe('POST /oidc/token: refresh_token (rotating)', () => {
  let server: OidcServer;
  before(async () => (server = await startOidcServer({ oidc: { refreshTokenTtlSeconds: refreshTtlSeconds } })));
  after(() => server.close());

  let phoneSeq = 300;

  /** A session of a fresh user of the web app, started the way the OTP login starts one. */
  async function signIn(): Promise<SessionTokenResponse & { userId: string }> {
    const { cradle } = server;
    const { user } = await cradle.users.createOrAddToApp(tenantId, clients.web.clientId, { phoneNumber: `+1415555${phoneSeq++}` }, {});
    const app = (await cradle.applications.get(clients.web.clientId))!;
    return { ...(await cradle.tokens.startSession({ app, user, amr: ['otp', 'sms'], metadata: {} })), userId: user.userId };
  }

  const refresh = (refreshToken: string, clientId: string = clients.web.clientId) =>
    server.token({ grant_type: 'refresh_token', refresh_token: refreshToken, ...clientForm(clientId) });

  async function sessionEvents(sid: string) {
    return (await server.cradle.eventStore.readStream(`session-${sid}`)).map(({ type, data }) => ({ type, data }));
  }

  it('replaces the refresh token at each use, in the same session, with current user claims', async () => {
    const first = await signIn();
    expect(decodeJwt(first.id_token).phone_number_verified).to.equal(false);
    const phoneNumber = String(decodeJwt(first.id_token).phone_number);
    await server.cradle.users.verifyPhone(tenantId, first.userId, phoneNumber, 'verification', {});

    const second = await refresh(first.refresh_token);
    expect(second.status).to.equal(200);
    expect(second.headers.get('cache-control')).to.equal('no-store');
    expect(second.body).to.have.keys('access_token', 'id_token', 'refresh_token', 'token_type', 'expires_in', 'scope', 'session_id');
    expect(second.body.session_id).to.equal(first.session_id);
    expect(second.body.refresh_token).to.not.equal(first.refresh_token);
    expect(decodeJwt(second.body.id_token)).to.include({ sub: first.userId, sid: first.session_id, phone_number_verified: true });
    expect(decodeJwt(second.body.id_token).amr).to.deep.equal(['otp', 'sms']);

    const third = await refresh(second.body.refresh_token);
    expect(third.status).to.equal(200);
    const issued = (await sessionEvents(first.session_id)).filter((event) => event.type === 'TokensIssued');
    expect(issued.map((event) => (event.data as { grant: string }).grant)).to.deep.equal(['otp', 'refresh_token', 'refresh_token']);
  });

  it('revokes the session when an old refresh token is used again', async () => {
    const first = await signIn();
    const second = await refresh(first.refresh_token);
    expect(second.status).to.equal(200);

    const replayed = await refresh(first.refresh_token);
    expect(replayed.status).to.equal(400);
    expect(replayed.body).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'the refresh token was already used; the session has been revoked',
    });
    expect(await sessionEvents(first.session_id)).to.deep.include({
      type: 'SessionRevoked',
      data: { reason: 'refresh_token_reuse', refreshTokenJti: decodeJwt(first.refresh_token).jti },
    });

    // the latest token dies with the session
    const latest = await refresh(second.body.refresh_token);
    expect(latest.status).to.equal(400);
    expect(latest.body).to.deep.equal({ error: 'invalid_grant', error_description: 'the session has been revoked' });
    expect(await server.cradle.tokens.isSessionActive(first.session_id)).to.equal(false);
  });

  it("refuses another client's refresh token without revoking the session", async () => {
    const session = await signIn();
    const stolen = await refresh(session.refresh_token, clients.closed.clientId);
    expect(stolen.status).to.equal(400);
    expect(stolen.body.error).to.equal('invalid_grant');
    expect((await refresh(session.refresh_token)).status).to.equal(200);
  });

  it('refuses anything but a live refresh token of this server', async () => {
    const session = await signIn();
    for (const token of [session.access_token, session.id_token, 'not.a.jwt', `${session.refresh_token.slice(0, -4)}AAAA`]) {
      const response = await refresh(token);
      expect(response.status, token).to.equal(400);
      expect(response.body.error).to.equal('invalid_grant');
    }
    server.clock.advance(refreshTtlSeconds);
    try {
      const expired = await refresh(session.refresh_token);
      expect(expired.status).to.equal(400);
      expect(expired.body).to.deep.equal({ error: 'invalid_grant', error_description: 'invalid refresh token: the token has expired' });
    } finally {
      server.clock.advance(-refreshTtlSeconds);
    }
  });

  it('gives exactly one of 20 parallel refreshes with one token new tokens', async () => {
    const session = await signIn();
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(session.refresh_token)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).to.have.length(1);
    expect(statuses.filter((status) => status === 400)).to.have.length(19);
    const issued = (await sessionEvents(session.session_id)).filter((event) => event.type === 'TokensIssued');
    expect(issued).to.have.length(2); // the sign-in and the one winner
    // the losers presented a token that had just been replaced: reuse, so the session is revoked (RFC 9700 §4.14.2)
    expect(await server.cradle.tokens.isSessionActive(session.session_id)).to.equal(false);
  });
});
