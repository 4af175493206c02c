import { expect } from 'chai';
import { parsePhoneNumber } from '../../core/users/phoneNumber.js';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { cliBeside as cli, cliConfigFor } from '../support/cli.js';
import { filesHolding, readModelFiles } from '../support/dataDirSearch.js';
import { RELAXED_PROTECTION, startOtpServer, type TestServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';
import { twilioVerifyClient } from '../support/twilioVerifyClient.js';

const phone = '+15125550177';
const email = 'grace.erasure@example.com';
const username = 'grace_hopper_1906';
const values = [phone, phone.slice(1), email, username];

type Record = { type: string; stream: string; data: { [field: string]: unknown } };

/**
 * What SMS protection and the Twilio Verify dialect record about a phone (a refused send, a code asked
 * for an identifier before it had a user, a Verify Service's verification of the number) is part of its
 * subject: exported with the user, gone with its keys at the erasure, and nothing of it comes back with a
 * rebuild.
 */
describe('erasure of what SMS protection and Twilio Verify recorded about a phone (end to end)', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof tempDir>;
  let t: TestServer;
  let app: string;
  let admin: string;
  let auditor: string;
  before(async () => {
    temp = tempDir();
    t = await startOtpServer({ overlay: acmeWithAuditor, dir: temp.dir });
    [app, admin, auditor] = await Promise.all([t.clientToken(), t.clientToken('acme-admin'), t.clientToken('acme-audit')]);
  });
  after(async () => {
    await t.close();
    temp.remove();
  });

  const call = async (method: string, route: string, token: string, accept = 'application/json') => {
    const response = await fetch(`${t.url}${route}`, { method, headers: { authorization: `Bearer ${token}`, accept } });
    const text = await response.text();
    return { status: response.status, text, body: accept === 'application/json' && text ? JSON.parse(text) : undefined };
  };
  const send = (identifier: string, identifier_type = 'phone_number') =>
    t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type, identifier }, app);
  const login = async () => {
    expect((await send(phone)).status).to.equal(200);
    const signedIn = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: (await t.lastSms(phone)).code, identifier_type: 'phone_number', identifier: phone },
      app,
    );
    expect(signedIn.status, JSON.stringify(signedIn.body)).to.equal(200);
  };
  const holdsNone = (text: string) => {
    for (const value of values) expect(text, value).to.not.contain(value);
  };

  it('exports the refused send, the unknown-identifier request and the Verify verification with the user, and forgets them at the erasure', async () => {
    const phoneHash = t.server.container.cradle.otpService.phoneHash(parsePhoneNumber(phone));
    // before the user exists: a code asked for its email (nobody is sent one)
    expect((await send(email, 'email')).status).to.equal(200);
    const created = await t.post('/cis/v1/users', { phone_number: phone, email, username }, app);
    expect(created.status).to.equal(201);
    const userId = created.body.result.user_id as string;
    await login();

    // a send screening refuses: the per-number cooldown (the login's code was just sent), for a moment
    expect((await t.put('/admin/v1/sms-protection', { limits: { phone: { cooldown_seconds: 600 } } }, admin)).status).to.equal(200);
    expect((await send(phone)).status).to.equal(429);
    expect((await t.put('/admin/v1/sms-protection', RELAXED_PROTECTION, admin)).status).to.equal(200);

    // the tenant's Twilio Verify Service verifies the same number, through the official SDK
    const serviceSid = (
      await twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret').verify.v2.services.create({ friendlyName: 'Acme Shop' })
    ).sid;
    const verify = twilioVerifyClient(t.url, 'acme-web', 'acme-web-secret').verify.v2.services(serviceSid);
    expect((await verify.verifications.create({ to: phone, channel: 'sms' })).status).to.equal('pending');
    expect((await verify.verificationChecks.create({ to: phone, code: (await t.lastSms(phone)).code })).status).to.equal('approved');

    const before = await call('GET', `/admin/v1/users/${userId}/export`, admin);
    expect(before.status).to.equal(200);
    const exported = before.body.events as Record[];
    expect(exported.find((e) => e.type === 'SmsSendRefused')!.data).to.include({ reason: 'cooldown', phoneHash });
    const emailHash = t.server.container.cradle.users.identifierHash('email', email);
    expect(exported.find((e) => e.type === 'OtpRequestedForUnknownIdentifier')).to.deep.include({ stream: `otp-acme-login-${emailHash}` });
    // the audit by phone number finds the refused send too
    const byPhone = await call('GET', `/admin/v1/audit/events?phone_number=${encodeURIComponent(phone)}&limit=1000`, auditor);
    expect((byPhone.body.result as Record[]).map((r) => r.type)).to.include.members(['SmsSendRefused', 'UserCreated', 'OtpIssued']);
    const verifyCodes = exported.filter((e) => e.stream === `otp-acme-verify-${phoneHash}`).map((e) => e.type);
    expect(verifyCodes).to.include.members(['OtpIssued', 'SmsSent', 'OtpVerified']);

    const erased = await call('DELETE', `/admin/v1/users/${userId}`, admin);
    expect(erased.status, erased.text).to.equal(200);

    const after = await call('GET', `/admin/v1/users/${userId}/export`, admin);
    holdsNone(after.text);
    expect((after.body.events as Record[]).map((e) => `${e.type} ${e.stream}`)).to.include.members(
      exported.map((e) => `${e.type} ${e.stream}`),
    );
    const ndjson = await call('GET', '/admin/v1/audit/events', auditor, 'application/x-ndjson');
    expect(ndjson.status).to.equal(200);
    holdsNone(ndjson.text);
    for (const type of ['SmsSendRefused', 'OtpRequestedForUnknownIdentifier', 'VerifyServiceCreated', 'UserErased'])
      expect(ndjson.text, type).to.contain(`"${type}"`);
    expect((await call('GET', '/admin/v1/audit/verify', auditor)).body).to.include({ ok: true });
    expect(filesHolding(temp.dir, values)).to.deep.equal([]);

    // the number is a new subject for Verify too: a new verification, sealed under a new key, works
    expect((await verify.verifications.create({ to: phone, channel: 'sms' })).status).to.equal('pending');
    expect((await verify.verificationChecks.create({ to: phone, code: (await t.lastSms(phone)).code })).status).to.equal('approved');

    const { configFile } = cliConfigFor(t);
    const rebuild = await cli(configFile, 'projections', 'rebuild');
    expect(rebuild.status, rebuild.stderr).to.equal(0);
    await t.server.container.cradle.projectionRunner.catchUp();
    expect((await t.get(`/admin/v1/users/${userId}`, admin)).body.result).to.include({ erased: true });
    holdsNone((await call('GET', `/admin/v1/users/${userId}/export`, admin)).text);
    expect(filesHolding(temp.dir, values)).to.deep.equal([]);
    expect(readModelFiles(temp.dir).length).to.be.greaterThan(0);
    const verified = await cli(configFile, 'audit', 'verify');
    expect(verified.status, verified.stderr).to.equal(0);
  });
});
