import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

describe('phone verification with a user token (seed: Verify phone using SMS OTP)', function () {
  this.timeout(30_000);
  let t: TestServer;
  let clientToken: string;
  let userToken: string;
  const loginPhone = '+15125550123';
  const newPhone = '+15125550177';

  beforeEach(async () => {
    t = await startOtpServer();
    clientToken = await t.clientToken();
    await t.post('/cis/v1/users', { email: 'grace@example.com', phone_number: loginPhone }, clientToken);
    await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'email', identifier: 'grace@example.com' }, clientToken);
    const login = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: (await t.lastSms(loginPhone)).code, identifier_type: 'email', identifier: 'grace@example.com' },
      clientToken,
    );
    userToken = login.body.access_token as string;
  });
  afterEach(() => t.close());

  it('adds the phone to the profile and marks it verified, returning no tokens', async () => {
    const sent = await t.post(
      '/cis/v1/verification/otp/sms/send',
      { phone_number: newPhone, custom_message: 'Your {app} verification code is: {otp}', sender_id: 'ACME' },
      userToken,
    );
    expect(sent.status).to.equal(200);
    const wrong = await t.post('/cis/v1/verification/otp/sms/validate', { phone_number: newPhone, passcode: '0000000' }, userToken);
    expect(wrong.status).to.equal(401);
    const ok = await t.post(
      '/cis/v1/verification/otp/sms/validate',
      { phone_number: newPhone, passcode: (await t.lastSms(newPhone)).code },
      userToken,
    );
    expect(ok.status).to.equal(200);
    expect(ok.body).not.to.have.any.keys('access_token', 'id_token', 'refresh_token');
    expect(ok.body.result).to.include({ phone_number: newPhone, phone_number_verified: true });
    // the backend flow now reaches the user at the new number
    await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'email', identifier: 'grace@example.com' }, clientToken);
    expect((await t.lastSms(newPhone)).count).to.equal(2);
  });

  it('needs a user token, not a client token', async () => {
    expect((await t.post('/cis/v1/verification/otp/sms/send', { phone_number: newPhone }, clientToken)).status).to.equal(401);
    expect((await t.post('/cis/v1/verification/otp/sms/send', { phone_number: newPhone })).status).to.equal(401);
  });
});
