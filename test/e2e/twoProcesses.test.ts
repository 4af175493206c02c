import { expect } from 'chai';
import path from 'node:path';
import { startChildServer } from '../support/childServer.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { freshSchema, needPostgres, postgresUrl } from '../support/postgres.js';

const redirectUri = 'https://acme.example/verify';

type Reply = { status: number; body: Record<string, unknown> };

/**
 * Two otpledger processes on one store, every request of a race split between them: single-use codes,
 * attempt counters and lockouts, authorization codes and rotating refresh tokens hold because every
 * decision is an append with an expected revision, whichever process makes it. The same suite runs on
 * one SQLite file and on one PostgreSQL database.
 */
for (const store of ['sqlite', 'postgres'] as const) {
  describe(`two otpledger processes sharing one ${store === 'sqlite' ? 'SQLite file' : 'PostgreSQL database'}`, function () {
    this.timeout(90_000);
    let t: TestServer;
    let second: { url: string; stop(): Promise<void> };
    let token: string;
    let phoneSeq = 0;
    let dropSchema: (() => Promise<void>) | undefined;

    before(async function () {
      if (store === 'postgres') needPostgres(this);
      const schema = store === 'postgres' ? freshSchema(postgresUrl!, 'e2e') : undefined;
      dropSchema = schema?.drop;
      t = await startOtpServer({
        // instances behind one name share the issuer (and, through the data dir, the keys)
        overlay: { oidc: { issuer: 'https://otpledger.test' }, ...(schema && { eventStore: { url: schema.url } }) },
      });
      second = await startChildServer(path.join(t.dir, 'test-config.json'));
      token = await t.clientToken();
    });
    after(async () => {
      await second?.stop();
      await t?.close();
      await dropSchema?.();
    });

    const post = async (url: string, route: string, body: unknown): Promise<Reply> => {
      const response = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const tokenAt = async (url: string, form: Record<string, string>): Promise<Reply> => {
      const response = await fetch(`${url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'acme-web', client_secret: 'acme-web-secret', ...form }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    /** Request i goes to the first process when even, to the second when odd. */
    const either = (i: number) => (i % 2 ? second.url : t.url);
    const statuses = (replies: Reply[]) =>
      replies
        .map((r) => r.status)
        .sort()
        .join(',');
    const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length;

    async function userWithCode(): Promise<{ phone: string; code: string }> {
      const phone = `+1512555${String(1000 + phoneSeq++)}`;
      expect((await post(t.url, '/cis/v1/users', { phone_number: phone })).status).to.equal(201);
      expect(
        (await post(t.url, '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone })).status,
      ).to.equal(200);
      return { phone, code: (await t.lastSms(phone)).code };
    }
    const authenticate = (url: string, phone: string, passcode: string) =>
      post(url, '/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier: phone });
    async function eventsOf(prefix: string, type: string): Promise<number> {
      let n = 0;
      for await (const event of t.server.container.cradle.eventStore.readAll({
        filter: { streamPrefixes: [prefix], eventTypes: [type] },
      })) {
        n += type !== 'OtpFailed' || (event.data as { reason: string }).reason === 'mismatch' ? 1 : 0;
      }
      return n;
    }

    it('gives exactly one of 50 parallel right codes its tokens', async () => {
      const { phone, code } = await userWithCode();
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => authenticate(either(i), phone, code)));
      expect(count(replies, 200), statuses(replies)).to.equal(1);
      expect(count(replies, 401), statuses(replies)).to.equal(49);
      expect(await eventsOf('otp-acme-login-', 'OtpVerified')).to.equal(1);
    });

    it('records at most max_failed_attempts of 50 parallel wrong codes, locks out once, and then refuses the right code', async () => {
      const before = { failed: await eventsOf('otp-acme-login-', 'OtpFailed'), locked: await eventsOf('otp-acme-login-', 'UserLockedOut') };
      const { phone, code } = await userWithCode();
      const wrong = code === '000000' ? '111111' : '000000';
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => authenticate(either(i), phone, wrong)));
      expect(count(replies, 200)).to.equal(0);
      expect(count(replies, 429), statuses(replies)).to.equal(47);
      expect(await eventsOf('otp-acme-login-', 'OtpFailed')).to.equal(before.failed + 3);
      expect(await eventsOf('otp-acme-login-', 'UserLockedOut')).to.equal(before.locked + 1);
      expect((await authenticate(second.url, phone, code)).status).to.equal(429);
    });

    it('redeems an authorization code once of 20 parallel exchanges', async () => {
      const phone = `+1512555${String(1000 + phoneSeq++)}`;
      expect(
        (await post(t.url, '/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: redirectUri, create_new_user: true })).status,
      ).to.equal(200);
      const validation = await post(second.url, '/cis/v1/auth/otp/sms/validation', {
        phone_number: phone,
        passcode: (await t.lastSms(phone)).code,
      });
      expect(validation.status, JSON.stringify(validation.body)).to.equal(200);
      // the link names the shared issuer; either process answers it
      const link = new URL(validation.body.result as string);
      const hop = await fetch(`${t.url}${link.pathname}${link.search}`, { redirect: 'manual' });
      const code = new URL(hop.headers.get('location')!).searchParams.get('code')!;
      const redeemedBefore = await eventsOf('authcode-', 'AuthorizationCodeRedeemed');
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => tokenAt(either(i), { grant_type: 'authorization_code', code, redirect_uri: redirectUri })),
      );
      // redeemed once; the 19 others are replays, which revoke the redemption's session (RFC 6749 §4.1.2), so its
      // tokens die with it, and its own answer may already be a refusal if a replay's revocation came first
      expect(await eventsOf('authcode-', 'AuthorizationCodeRedeemed')).to.equal(redeemedBefore + 1);
      expect(count(replies, 200), statuses(replies)).to.be.at.most(1);
      expect(count(replies, 400), statuses(replies)).to.be.at.least(19);
    });

    it('rotates a refresh token once of 20 parallel refreshes, and revokes the session when an old one comes back', async () => {
      const { phone, code } = await userWithCode();
      const login = await authenticate(t.url, phone, code);
      expect(login.status).to.equal(200);
      const first = login.body.refresh_token as string;
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => tokenAt(either(i), { grant_type: 'refresh_token', refresh_token: first })),
      );
      const winners = replies.filter((r) => r.status === 200);
      expect(winners, statuses(replies)).to.have.length(1);
      // the losers reused a spent token: the session is revoked, so the winner's new token dies with it
      const latest = await tokenAt(t.url, { grant_type: 'refresh_token', refresh_token: winners[0]!.body.refresh_token as string });
      expect(latest.status).to.equal(400);
      expect(latest.body).to.deep.equal({ error: 'invalid_grant', error_description: 'the session has been revoked' });
      expect((await tokenAt(second.url, { grant_type: 'refresh_token', refresh_token: first })).status).to.equal(400);
    });
  });
}
