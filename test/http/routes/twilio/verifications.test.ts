import { expect } from 'chai';
import { parsePhoneNumber } from '../../../../core/users/phoneNumber.js';
import { accountSidOf } from '../../../../core/twilioVerify/accountSid.js';
import { acme, startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { twilioFailure, twilioVerifyClient } from '../../../support/twilioVerifyClient.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const phone = '+15125550142';
const globex = {
  id: 'globex',
  name: 'Globex',
  applications: [{ name: 'Globex admin', client_id: 'globex-admin', client_secret: 'globex-admin-secret', role: 'management' }],
};

describe('Twilio Verify dialect: verifications and checks through the official twilio SDK', function () {
  this.timeout(60_000);
  let t: TestServer;
  let client: ReturnType<typeof twilioVerifyClient>;
  let serviceSid: string;
  let number = 0;
  /** A fresh number per test: each test's verifications are its own. */
  const nextPhone = () => `+1512555${String(1000 + number++).padStart(4, '0')}`;

  before(async () => {
    t = await startOtpServer({ clock: true, overlay: { bootstrap: { tenants: [acme, globex] }, dev: { outbox: true } } });
    const admin = twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret');
    serviceSid = (await admin.verify.v2.services.create({ friendlyName: 'Acme Shop', codeLength: 7 })).sid;
    client = twilioVerifyClient(t.url, 'acme-web', 'acme-web-secret');
  });
  after(() => t.close());

  const service = () => client.verify.v2.services(serviceSid);
  const form = (path: string, fields: Record<string, string>, auth = basic('acme-web', 'acme-web-secret')) =>
    fetch(`${t.url}/v2/Services/${serviceSid}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
  const codeFor = async (to: string) => (await t.lastSms(to)).code;
  const otpEvents = async () => {
    const found: { type: string; data: any; streamName: string }[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['otp-acme-verify-'] } }))
      found.push(event);
    return found;
  };

  it("sends the Service's text, then a wrong code is 200 pending (valid false), the right one approved; a replay is 404 20404", async () => {
    const to = nextPhone();
    const verification = await service().verifications.create({ to, channel: 'sms' });
    expect(verification.sid).to.match(/^VE[0-9a-f]{32}$/);
    expect(verification).to.include({ serviceSid, accountSid: accountSidOf('acme'), to, channel: 'sms', status: 'pending', valid: false });
    expect(verification.sendCodeAttempts).to.have.length(1);
    const sms = await t.lastSms(to);
    expect(sms.message).to.match(/^Your Acme Shop verification code is: \d{7}$/);

    const wrong = await service().verificationChecks.create({ to, code: sms.code === '1234567' ? '7654321' : '1234567' });
    expect(wrong).to.include({ sid: verification.sid, status: 'pending', valid: false, to });

    const right = await service().verificationChecks.create({ to, code: sms.code });
    expect(right).to.include({ sid: verification.sid, status: 'approved', valid: true, to, serviceSid });

    const replay = await twilioFailure(service().verificationChecks.create({ to, code: sms.code }));
    expect(replay).to.include({ status: 404, code: 20404 });
    expect(replay.message).to.equal(`The requested resource /Services/${serviceSid}/VerificationCheck was not found`);
    expect((await twilioFailure(service().verifications(verification.sid).fetch())).code).to.equal(20404);
  });

  it('maps onto the OTP domain: OtpIssued/OtpFailed/OtpVerified for purpose verify, issued for the Service, and no user is created', async () => {
    const to = nextPhone();
    await service().verifications.create({ to, channel: 'sms' });
    await service().verificationChecks.create({ to, code: await codeFor(to) });
    const phoneHash = t.server.container.cradle.otpService.phoneHash(parsePhoneNumber(to));
    const events = (await otpEvents()).filter((event) => event.streamName.endsWith(phoneHash));
    expect(events.map((event) => event.type)).to.deep.equal(['OtpIssued', 'SmsSent', 'OtpVerified']);
    expect(events[0]!.data).to.include({ purpose: 'verify', clientId: serviceSid, phoneHash });
    expect(events[0]!.data).to.not.have.property('userId');
    expect(JSON.stringify(events)).to.not.include(to);
    const users: unknown[] = [];
    for await (const event of t.server.container.cradle.eventStore.readAll({ filter: { streamPrefixes: ['user-acme-'] } }))
      users.push(event);
    expect(users).to.deep.equal([]);
  });

  it('checks by VerificationSid, and fetches a pending verification (its number comes back from the sid)', async () => {
    const to = nextPhone();
    const { sid } = await service().verifications.create({ to, channel: 'sms' });
    const fetched = await service().verifications(sid).fetch();
    expect(fetched).to.include({ sid, to, status: 'pending' });
    const checked = await service().verificationChecks.create({ verificationSid: sid, code: await codeFor(to) });
    expect(checked).to.include({ sid, to, status: 'approved' });
    const forged = `VE${'0'.repeat(32)}`;
    expect((await twilioFailure(service().verificationChecks.create({ verificationSid: forged, code: '1234567' }))).code).to.equal(20404);
  });

  it('locks out after 5 wrong checks: the 5th answers max_attempts_reached, then 429 60202 for checks (right code too) and new verifications', async () => {
    const to = nextPhone();
    await service().verifications.create({ to, channel: 'sms' });
    const code = await codeFor(to);
    const wrongCode = code === '0000000' ? '1111111' : '0000000';
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await service().verificationChecks.create({ to, code: wrongCode })).status);
    expect(statuses).to.deep.equal(['pending', 'pending', 'pending', 'pending', 'max_attempts_reached']);
    const locked = await twilioFailure(service().verificationChecks.create({ to, code }));
    expect(locked).to.include({ status: 429, code: 60202, message: 'Max check attempts reached' });
    expect((await twilioFailure(service().verifications.create({ to, channel: 'sms' }))).code).to.equal(60202);
    // the lock lasts as long as a verification would have lived (10 minutes), then a new one starts
    t.clock!.advance(10 * 60_000 + 1);
    expect((await service().verifications.create({ to, channel: 'sms' })).status).to.equal('pending');
  });

  it('a create while pending resends under the same sid (a new code; only the latest works) up to 5 sends, then 429 60203', async () => {
    const to = nextPhone();
    const first = await service().verifications.create({ to, channel: 'sms' });
    const firstCode = await codeFor(to);
    for (let i = 2; i <= 5; i++) {
      t.clock!.advance(1_000);
      const latest = await service().verifications.create({ to, channel: 'sms' });
      expect(latest.sid).to.equal(first.sid);
      expect(latest.sendCodeAttempts).to.have.length(i);
    }
    const tooMany = await twilioFailure(service().verifications.create({ to, channel: 'sms' }));
    expect(tooMany).to.include({ status: 429, code: 60203, message: 'Max send attempts reached' });
    expect((await t.lastSms(to)).count).to.equal(5);
    const latestCode = await codeFor(to);
    if (latestCode !== firstCode) expect((await service().verificationChecks.create({ to, code: firstCode })).status).to.equal('pending');
    expect((await service().verificationChecks.create({ to, code: latestCode })).status).to.equal('approved');
  });

  it('cancels a pending verification (update Status=canceled): then it is gone, checks and fetches 404 20404', async () => {
    const to = nextPhone();
    const { sid } = await service().verifications.create({ to, channel: 'sms' });
    const canceled = await service().verifications(sid).update({ status: 'canceled' });
    expect(canceled).to.include({ sid, status: 'canceled', valid: false });
    expect((await twilioFailure(service().verificationChecks.create({ to, code: await codeFor(to) }))).code).to.equal(20404);
    expect((await twilioFailure(service().verifications(sid).fetch())).status).to.equal(404);
    expect((await twilioFailure(service().verifications(sid).update({ status: 'canceled' }))).code).to.equal(20404);
    const revoked = (await otpEvents()).filter((event) => event.type === 'OtpRevoked').map((event) => event.data.reason);
    expect(revoked).to.include('canceled');
  });

  it("approves a pending verification on the caller's word (Status=approved), recorded as OtpRevoked approved_by_client", async () => {
    const to = nextPhone();
    const { sid } = await service().verifications.create({ to, channel: 'sms' });
    expect(await service().verifications(sid).update({ status: 'approved' })).to.include({ status: 'approved', valid: true });
    expect((await twilioFailure(service().verificationChecks.create({ to, code: await codeFor(to) }))).code).to.equal(20404);
    const revoked = (await otpEvents()).filter((event) => event.type === 'OtpRevoked').map((event) => event.data.reason);
    expect(revoked).to.include('approved_by_client');
  });

  it("expires after the Service's lifetime (10 minutes): checks 404 20404, and a new create starts a new verification", async () => {
    const to = nextPhone();
    const { sid } = await service().verifications.create({ to, channel: 'sms' });
    const code = await codeFor(to);
    t.clock!.advance(10 * 60_000);
    expect((await twilioFailure(service().verificationChecks.create({ to, code }))).code).to.equal(20404);
    const next = await service().verifications.create({ to, channel: 'sms' });
    expect(next.sid).to.not.equal(sid);
    expect(next.sendCodeAttempts).to.have.length(1);
  });

  it('an invalid number is 400 60200 "Invalid parameter: To"; wrong credentials 401 20003', async () => {
    for (const bad of ['5125550100', '+1512', '+999999999999']) {
      const failure = await twilioFailure(service().verifications.create({ to: bad, channel: 'sms' }));
      expect(failure).to.include({ status: 400, code: 60200, message: 'Invalid parameter: To' });
    }
    const stranger = twilioVerifyClient(t.url, 'acme-web', 'not-the-secret').verify.v2.services(serviceSid);
    expect(await twilioFailure(stranger.verifications.create({ to: nextPhone(), channel: 'sms' }))).to.include({
      status: 401,
      code: 20003,
    });
    expect(await twilioFailure(stranger.verificationChecks.create({ to: phone, code: '1234567' }))).to.include({
      status: 401,
      code: 20003,
    });
  });

  it('raw HTTP: refuses what the SDK would let through — other channels, custom codes and names, unsupported parameters, no target', async () => {
    const to = nextPhone();
    expect((await form('/Verifications', { To: to, Channel: 'call' })).body).to.deep.equal({
      code: 60200,
      message: 'Invalid parameter: Channel (only sms is offered by this server)',
      more_info: 'https://www.twilio.com/docs/errors/60200',
      status: 400,
    });
    expect((await form('/Verifications', { To: to, Channel: 'sms', CustomCode: '123456' })).body).to.include({ status: 403, code: 60204 });
    expect((await form('/Verifications', { To: to, Channel: 'sms', CustomFriendlyName: 'Other' })).body).to.include({
      status: 403,
      code: 60204,
    });
    expect((await form('/Verifications', { To: to, Channel: 'sms', Locale: 'fr' })).body.message).to.equal(
      'Invalid parameter: Locale (only en is offered by this server)',
    );
    expect((await form('/Verifications', { To: to, Channel: 'sms', Amount: '10' })).body.message).to.match(/^Invalid parameter: Amount/);
    expect((await form('/Verifications', { To: to, Channel: 'sms', RiskCheck: 'disable' })).body.code).to.equal(60200);
    expect((await form('/Verifications', { Channel: 'sms' })).body.message).to.equal('Missing required parameter To');
    expect((await form('/VerificationCheck', { Code: '1234567' })).body).to.include({
      status: 400,
      code: 60221,
      message: 'No target verification specified',
    });
    expect((await form('/VerificationCheck', { Code: '123', To: to })).body).to.include({ status: 400, code: 60200 });
    expect((await form('/Verifications/VE0123', { Status: 'pending' })).body.code).to.equal(60200);
    // nothing was sent for any of them
    expect((await t.lastSms(to)).count).to.equal(0);
  });

  it("raw HTTP: AppHash formats the text for Android's SMS Retriever; the do-not-share warning follows the Service", async () => {
    const admin = twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret');
    const warned = await admin.verify.v2.services.create({ friendlyName: 'Acme Bank', doNotShareWarningEnabled: true });
    const to = nextPhone();
    const started = await fetch(`${t.url}/v2/Services/${warned.sid}/Verifications`, {
      method: 'POST',
      headers: { authorization: basic('acme-web', 'acme-web-secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: to, Channel: 'sms', AppHash: 'He42w354ol9' }),
    });
    expect(started.status).to.equal(201);
    expect((await t.lastSms(to)).message).to.match(
      /^<#> Your Acme Bank verification code is: \d{6}\. Don't share this code with anyone; our employees will never ask for the code He42w354ol9$/,
    );
  });

  it("a Service of another tenant, or a deleted one, is 404 20404; a verification of another Service is not this Service's", async () => {
    const admin = twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret');
    const other = await admin.verify.v2.services.create({ friendlyName: 'Other' });
    const to = nextPhone();
    const { sid } = await service().verifications.create({ to, channel: 'sms' });
    const elsewhere = client.verify.v2.services(other.sid);
    expect((await twilioFailure(elsewhere.verifications(sid).fetch())).code).to.equal(20404);
    expect((await twilioFailure(elsewhere.verificationChecks.create({ to, code: await codeFor(to) }))).code).to.equal(20404);
    // the check on the other Service counted nothing: this Service's verification still approves
    expect((await service().verificationChecks.create({ to, code: await codeFor(to) })).status).to.equal('approved');
    await admin.verify.v2.services(other.sid).remove();
    expect((await twilioFailure(elsewhere.verifications.create({ to, channel: 'sms' }))).code).to.equal(20404);

    const foreign = await twilioVerifyClient(t.url, 'globex-admin', 'globex-admin-secret', 'globex').verify.v2.services.create({
      friendlyName: 'Globex',
    });
    expect(foreign.accountSid).to.equal(accountSidOf('globex')).and.not.equal(accountSidOf('acme'));
    expect((await twilioFailure(client.verify.v2.services(foreign.sid).verifications.create({ to, channel: 'sms' }))).code).to.equal(20404);
    expect(
      (await twilioFailure(twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret').verify.v2.services(foreign.sid).fetch())).code,
    ).to.equal(20404);
  });
});
