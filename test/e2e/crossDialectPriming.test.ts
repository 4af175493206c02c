import { expect } from 'chai';
import { PASSWORDLESS_OTP_GRANT } from '../../core/http/routes/auth0/token.js';
import { call } from '../support/auth0Client.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

const phone = '+15125550177';

/** Both dialects on one phone: a code's wrong guesses are counted by that code's own rules, whoever checks it. */
describe('cross-dialect attempts: a code belongs to its own rules', function () {
  this.timeout(30_000);
  let t: TestServer;
  let app: string;

  beforeEach(async () => {
    t = await startOtpServer();
    const admin = await t.clientToken('acme-admin');
    const id = (await t.get('/api/v2/connections', admin)).body[0].id;
    expect((await call(t.url, 'PATCH', `/api/v2/connections/${id}`, { enabled_clients: ['acme-web'] }, { token: admin })).status).to.equal(
      200,
    );
    app = await t.clientToken();
    await t.post('/cis/v1/users', { phone_number: phone }, app);
  });
  afterEach(() => t.close());

  // the web app's backend: a confidential client, with its secret
  const auth0Start = () =>
    call(t.url, 'POST', '/passwordless/start', {
      client_id: 'acme-web',
      client_secret: 'acme-web-secret',
      connection: 'sms',
      phone_number: phone,
      send: 'code',
    });
  const auth0Token = (otp: string) =>
    call(
      t.url,
      'POST',
      '/oauth/token',
      { grant_type: PASSWORDLESS_OTP_GRANT, client_id: 'acme-web', client_secret: 'acme-web-secret', username: phone, otp, realm: 'sms' },
      { form: true },
    );
  const cisSend = () => t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app);
  const cisAuthenticate = (passcode: string) =>
    t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier: phone }, app);
  const wrongFor = (code: string) => (code.startsWith('0') ? '1' : '0').repeat(code.length);

  it('three wrong guesses under Auth0 rules (the code burns) leave the next Mosaic code its own three', async () => {
    expect((await auth0Start()).status).to.equal(200);
    const auth0Code = (await t.lastSms(phone)).code;
    for (let i = 0; i < 3; i++) expect((await auth0Token(wrongFor(auth0Code))).status).to.equal(403);

    expect((await cisSend()).status).to.equal(200);
    const code = (await t.lastSms(phone)).code;
    // the user's first typo: one failure of three, not a lockout
    expect(await cisAuthenticate(wrongFor(code))).to.deep.include({ status: 401 });
    expect((await cisAuthenticate(code)).status).to.equal(200);
  });

  it('a Mosaic code checked through /oauth/token still locks out by its Mosaic rules', async () => {
    expect((await cisSend()).status).to.equal(200);
    const code = (await t.lastSms(phone)).code;
    for (let i = 0; i < 2; i++) expect((await auth0Token(wrongFor(code))).status).to.equal(403);
    // the third wrong guess is the code's max_failed_attempts: locked out, whichever dialect asks next
    expect((await cisAuthenticate(wrongFor(code))).status).to.equal(401);
    expect((await cisAuthenticate(code)).status).to.equal(429);
  });
});
