import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

const phone = '+16175551212';
const redirectUri = 'https://acme.example/verify';

describe('SMS OTP redirect login (seed: Login with SMS OTP, redirect flow)', function () {
  this.timeout(30_000);
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await startOtpServer();
    token = await t.clientToken();
  });
  afterEach(() => t.close());

  async function exchange(code: string, redirect_uri = redirectUri) {
    const response = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'acme-web',
        client_secret: 'acme-web-secret',
        code,
        redirect_uri,
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function loginUpToCode(): Promise<string> {
    const validation = await t.post(
      '/cis/v1/auth/otp/sms/validation',
      { phone_number: phone, passcode: (await t.lastSms(phone)).code },
      token,
    );
    expect(validation.status, JSON.stringify(validation.body)).to.equal(200);
    const result = new URL(validation.body.result as string);
    expect(result.origin).to.equal(t.url);
    const hop = await fetch(result, { redirect: 'manual' });
    expect(hop.status).to.equal(302);
    const location = new URL(hop.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).to.equal(redirectUri);
    return location.searchParams.get('code')!;
  }

  it('signs up a new user: send -> validation -> redirect -> code exchanged at /oidc/token', async () => {
    const sent = await t.post(
      '/cis/v1/auth/otp/sms',
      {
        phone_number: phone,
        redirect_uri: redirectUri,
        create_new_user: true,
        custom_message: 'Your {app} verification code is: {otp}',
        sender_id: 'ACME',
      },
      token,
    );
    expect(sent.status).to.equal(200);
    expect((await t.lastSms(phone)).message).to.match(/^Your Acme web verification code is: \d{6}$/);
    const code = await loginUpToCode();

    const tokens = await exchange(code);
    expect(tokens.status, JSON.stringify(tokens.body)).to.equal(200);
    expect(tokens.body).to.include.keys('access_token', 'id_token', 'refresh_token');
    const idToken = JSON.parse(Buffer.from((tokens.body.id_token as string).split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(idToken).to.include({ phone_number: phone, phone_number_verified: true, aud: 'acme-web' });

    expect((await exchange(code)).status).to.equal(400);
    // the user exists now: the backend flow finds it
    await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, token);
    const login = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: (await t.lastSms(phone)).code, identifier_type: 'phone_number', identifier: phone },
      token,
    );
    expect(login.status).to.equal(200);
  });

  it('sends nothing to an unknown phone without create_new_user, and answers the same', async () => {
    const sent = await t.post('/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: redirectUri }, token);
    expect(sent).to.deep.include({ status: 200, body: { message: 'OTP sent' } });
    expect((await t.lastSms(phone)).count).to.equal(0);
  });

  it('refuses a redirect_uri outside the allow-list, a tampered result link, and a code for another redirect_uri', async () => {
    const refused = await t.post(
      '/cis/v1/auth/otp/sms',
      { phone_number: phone, redirect_uri: 'https://evil.example/cb', create_new_user: true },
      token,
    );
    expect(refused.status).to.equal(400);
    expect(refused.body.message).to.match(/redirect_uri/);

    const tampered = await fetch(
      `${t.url}/cis/v1/auth/otp/sms/redirect?token=eyJhbGciOiJub25lIn0.eyJyZWRpcmVjdF91cmkiOiJodHRwczovL2V2aWwuZXhhbXBsZSJ9.`,
      { redirect: 'manual' },
    );
    expect(tampered.status).to.equal(400);
    expect(await tampered.json()).to.deep.equal({ message: 'the link is invalid or has expired', error_code: 400 });
    for (const [query, message] of [
      ['', 'token is required'],
      ['?token=', 'token must NOT have fewer than 1 characters'],
      ['?token=a&token=b', 'token must be given once'],
    ]) {
      const bad = await fetch(`${t.url}/cis/v1/auth/otp/sms/redirect${query}`, { redirect: 'manual' });
      expect(await bad.json(), query).to.deep.equal({ message, error_code: 400 });
    }

    await t.post('/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: redirectUri, create_new_user: true }, token);
    const code = await loginUpToCode();
    expect((await exchange(code, 'https://acme.example/other')).status).to.equal(400);
  });

  it('does not create a user when the app has no public sign-up', async () => {
    const shop = await t.clientToken('acme-shop');
    await t.post(
      '/cis/v1/auth/otp/sms',
      { phone_number: phone, redirect_uri: 'https://shop.acme.example/cb', create_new_user: true },
      shop,
    );
    expect((await t.lastSms(phone)).count).to.equal(0);
  });
});
