import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

const phone = '+15125550101';

describe('SMS OTP backend login (seed: Login with SMS OTP)', function () {
  this.timeout(30_000);
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await startOtpServer({ clock: true });
    token = await t.clientToken();
  });
  afterEach(() => t.close());

  const send = (identifier = phone, extra: Record<string, unknown> = {}, as = token) =>
    t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier, ...extra }, as);
  const authenticate = (passcode: string, identifier = phone, as = token) =>
    t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier }, as);
  const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

  it('creates a user, sends a code, authenticates it, and the id_token verifies against the JWKS', async () => {
    const created = await t.post('/cis/v1/users', { phone_number: phone, username: 'ada' }, token);
    expect(created.status).to.equal(201);
    const userId = created.body.result.user_id as string;
    expect(created.body.result).to.include({ phone_number: phone, phone_number_verified: false });

    const again = await t.post('/cis/v1/users', { phone_number: phone }, token);
    expect(again.status).to.equal(200);
    expect(again.body.result.user_id).to.equal(userId);

    expect(await send()).to.deep.include({ status: 200, body: { message: 'OTP sent' } });
    const sms = await t.lastSms(phone);
    expect(sms.message)
      .to.contain('Acme web')
      .and.to.match(/\b\d{6}\b/);

    const login = await authenticate(sms.code);
    expect(login.status).to.equal(200);
    expect(login.body).to.have.keys('access_token', 'id_token', 'refresh_token', 'token_type', 'expires_in', 'session_id');

    const discovery = await t.get('/.well-known/openid-configuration');
    const jwks = createRemoteJWKSet(new URL(discovery.body.jwks_uri));
    const { payload } = await jwtVerify(login.body.id_token, jwks, {
      issuer: discovery.body.issuer,
      audience: 'acme-web',
      currentDate: t.clock!.now(),
    });
    expect(payload).to.include({ sub: userId, phone_number: phone, phone_number_verified: true, sid: login.body.session_id });
    expect(payload).to.include.keys('iat', 'exp');
  });

  it('answers a send for an unknown identifier exactly like a known one, sends nothing, and refuses authentication the same way', async () => {
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    const known = await send();
    const unknown = await send('+15125550199');
    expect([unknown.status, unknown.body]).to.deep.equal([known.status, known.body]);
    expect((await t.lastSms('+15125550199')).count).to.equal(0);
    for (const type of ['email', 'username', 'user_id']) {
      const other = await t.post(
        '/cis/v1/auth/otp/send',
        { channel: 'sms', identifier_type: type, identifier: 'nobody@example.com' },
        token,
      );
      expect(other.status).to.equal(200);
      expect(other.body).to.deep.equal({ message: 'OTP sent' });
    }
    const wrongCode = await authenticate('123456');
    const unknownUser = await authenticate('123456', '+15125550199');
    expect(unknownUser.status).to.equal(wrongCode.status);
    expect(unknownUser.body).to.deep.equal(wrongCode.body);
    expect(wrongCode.body).to.deep.equal({ message: 'invalid or expired passcode', error_code: 401 });
  });

  it('finds the user by email, username and user_id too', async () => {
    const created = await t.post('/cis/v1/users', { phone_number: phone, email: 'Ada@Example.com', username: 'ada' }, token);
    for (const [type, identifier] of [
      ['email', 'ada@example.com'],
      ['username', 'ada'],
      ['user_id', created.body.result.user_id],
    ]) {
      await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: type, identifier }, token);
      const { code } = await t.lastSms(phone);
      const login = await t.post('/cis/v1/auth/otp/authenticate', { passcode: code, identifier_type: type, identifier }, token);
      expect(login.status, `${type}: ${JSON.stringify(login.body)}`).to.equal(200);
    }
  });

  it('lets a code work once, honours only the latest code, and refuses an expired one', async () => {
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    await send();
    const first = (await t.lastSms(phone)).code;
    await send();
    const second = (await t.lastSms(phone)).code;
    if (first !== second) expect((await authenticate(first)).status).to.equal(401);
    expect((await authenticate(second)).status).to.equal(200);
    expect((await authenticate(second)).status).to.equal(401);

    await send();
    t.clock!.advance(5 * 60_000);
    expect((await authenticate((await t.lastSms(phone)).code)).status).to.equal(401);
  });

  it('locks out after max_failed_attempts: the right code fails and sends are refused until the lock lifts', async () => {
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    await send();
    const { code } = await t.lastSms(phone);
    for (let i = 0; i < 3; i++) expect((await authenticate(wrong(code))).status).to.equal(401);
    const locked = await authenticate(code);
    expect(locked.status).to.equal(429);
    expect(locked.body.message).to.match(/too many failed attempts/);
    expect((await send()).status).to.equal(429);

    t.clock!.advance(15 * 60_000);
    expect((await send()).status).to.equal(200);
    expect((await authenticate((await t.lastSms(phone)).code)).status).to.equal(200);
  });

  it('does not let another application use the code', async () => {
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    const shop = await t.clientToken('acme-shop');
    await t.post('/cis/v1/users', { phone_number: phone }, shop);
    await send();
    expect((await authenticate((await t.lastSms(phone)).code, phone, shop)).status).to.equal(401);
  });

  it('applies custom_message and sender_id, and says which rule a bad one breaks', async () => {
    await t.post('/cis/v1/users', { phone_number: phone }, token);
    const custom = (custom_message?: string, sender_id?: string) => send(phone, { custom_sms_input: { custom_message, sender_id } });
    expect((await custom('Your {app}\ncode is {otp}', 'ACME')).status).to.equal(200);
    expect((await t.lastSms(phone)).message).to.match(/^Your Acme web\ncode is \d{6}$/);

    const noApp = await custom('Your code is {otp}');
    expect(noApp).to.deep.include({ status: 400, body: { message: 'custom_message must contain the {app} placeholder', error_code: 400 } });
    expect((await custom('Your {app} code')).body.message).to.equal('custom_message must contain the {otp} placeholder');
    expect((await custom(`{app} {otp} ${'x'.repeat(140)}`)).body.message).to.equal('custom_message must be at most 140 characters');
    expect((await custom(undefined, 'TWELVECHARSX')).body.message).to.equal('sender_id must be 1 to 11 characters');
    // NUL, escape sequences and line breaks in a sender would reach the provider as they are
    const control = await custom('{app} {otp}\u0000\u001b[2J');
    expect(control.status).to.equal(400);
    expect(control.body.message).to.contain('custom_message must not contain control characters other than tab and line breaks');
    expect((await custom(undefined, 'A\r\nB')).body.message).to.contain('sender_id must not contain control characters');
  });

  it('validates every body and token with clear 4xx errors', async () => {
    const bad = await t.post('/cis/v1/auth/otp/send', { channel: 'fax', identifier_type: 'phone_number', extra: 1 }, token);
    expect(bad.status).to.equal(400);
    expect(bad.body.error_code).to.equal(400);
    expect(bad.body.message).to.contain('/channel').and.to.contain('identifier').and.to.contain('extra');
    expect((await send('not-a-phone')).body.message).to.match(/not a valid E\.164 phone number/);
    expect((await send(phone, {}, 'not-a-token')).status).to.equal(401);
    expect((await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone })).status).to.equal(
      401,
    );
    expect((await send(phone, {}, await t.clientToken('acme-admin'))).status).to.equal(403);
    expect((await t.post('/cis/v1/users', {}, token)).status).to.equal(400);
  });
});
