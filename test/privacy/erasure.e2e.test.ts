import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acmeWithAuditor } from '../support/auditorTenant.js';
import { cliBeside as cli, cliConfigFor } from '../support/cli.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { filesHolding as filesHoldingAny, readModelFiles as readModelFilesOf } from '../support/dataDirSearch.js';
import { tempDir } from '../support/tempDir.js';

const phone = '+15125550188';
const email = 'ada.erasure@example.com';
const username = 'ada_lovelace_1815';
const redirectUri = 'https://acme.example/verify';

/** The files that hold any of the three values, in any of their spellings. */
const filesHolding = (dir: string) => filesHoldingAny(dir, [phone, phone.slice(1), email, username]);

const holdsNone = (text: string) => {
  for (const value of [phone, phone.slice(1), email, username]) expect(text, value).to.not.contain(value);
};

describe('erasure and data-subject requests (end to end)', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof tempDir>;
  let t: TestServer;
  let app: string;
  let admin: string;
  let auditor: string;
  beforeEach(async () => {
    temp = tempDir();
    t = await startOtpServer({ overlay: acmeWithAuditor, dir: temp.dir });
    [app, admin, auditor] = await Promise.all([t.clientToken(), t.clientToken('acme-admin'), t.clientToken('acme-audit')]);
  });
  afterEach(async () => {
    await t.close();
    temp.remove();
  });

  const call = async (method: string, route: string, token: string, accept = 'application/json') => {
    const response = await fetch(`${t.url}${route}`, { method, headers: { authorization: `Bearer ${token}`, accept } });
    const text = await response.text();
    return { status: response.status, text, body: accept === 'application/json' && text ? JSON.parse(text) : undefined };
  };
  const login = async () => {
    expect(
      (await t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app)).status,
    ).to.equal(200);
    const signedIn = await t.post(
      '/cis/v1/auth/otp/authenticate',
      { passcode: (await t.lastSms(phone)).code, identifier_type: 'phone_number', identifier: phone },
      app,
    );
    expect(signedIn.status, JSON.stringify(signedIn.body)).to.equal(200);
    return signedIn.body as { refresh_token: string };
  };
  /** The redirect login: its authorization code names the phone before any user is looked up. */
  const redirectLogin = async () => {
    expect((await t.post('/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: redirectUri }, app)).status).to.equal(200);
    const validation = await t.post(
      '/cis/v1/auth/otp/sms/validation',
      { phone_number: phone, passcode: (await t.lastSms(phone)).code },
      app,
    );
    expect(validation.status, JSON.stringify(validation.body)).to.equal(200);
    const hop = await fetch(validation.body.result as string, { redirect: 'manual' });
    const code = new URL(hop.headers.get('location')!).searchParams.get('code')!;
    const tokens = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'acme-web',
        client_secret: 'acme-web-secret',
        code,
        redirect_uri: redirectUri,
      }),
    });
    expect(tokens.status).to.equal(200);
  };

  it('exports, erases, keeps every chain verifiable, leaves none of the phone, email or username on disk, and lets the phone sign up again', async () => {
    const created = await t.post('/cis/v1/users', { phone_number: phone, email, username }, app);
    expect(created.status).to.equal(201);
    const userId = created.body.result.user_id as string;
    const session = await login();
    await redirectLogin();

    // the access export has everything, opened
    const before = await call('GET', `/admin/v1/users/${userId}/export`, admin);
    expect(before.status).to.equal(200);
    expect(before.body.user).to.deep.include({ user_id: userId, phone_number: phone, email, username, phone_number_verified: true });
    const types = (before.body.events as { type: string }[]).map((e) => e.type);
    expect(types).to.include.members([
      'UserCreated',
      'IdentifierClaimed',
      'OtpIssued',
      'SmsSent',
      'OtpVerified',
      'PhoneVerified',
      'SessionStarted',
      'TokensIssued',
      'AuthorizationCodeIssued',
    ]);
    // the copy taken is itself on record, before it was answered: who, and about whom
    const queries = await call('GET', '/admin/v1/audit/events?type=AuditQueried&limit=1000', auditor);
    const exports = (queries.body.result as { data: { query: string; actor: string; filters: unknown } }[]).filter(
      (r) => r.data.query === 'export',
    );
    expect(exports.map(({ data }) => ({ actor: data.actor, filters: data.filters }))).to.deep.equal([
      { actor: 'acme-admin', filters: { userId } },
    ]);
    const createdEvent = (before.body.events as { type: string; data: Record<string, unknown> }[]).find((e) => e.type === 'UserCreated')!;
    expect(createdEvent.data).to.include({ phoneNumber: phone, email, username });
    expect((await t.get('/admin/v1/users/' + userId, admin)).body.result).to.include({ phone_number: phone, email, username });
    // only the (excluded) development outbox holds a value in clear even now: the search can find one
    expect(filesHolding(temp.dir)).to.deep.equal([]);
    expect(fs.readFileSync(path.join(temp.dir, 'sms-outbox.ndjson'), 'utf8')).to.contain(phone);
    // the users read model holds the profile sealed, as the log does
    const { storedEvents } = t.server.container.cradle;
    const sealedEmail = ((await storedEvents.readStream(`user-acme-${userId}`))[0]!.data as { email: string }).email;
    expect(sealedEmail).to.match(/^pii:v1:/);
    const readModelFiles = () => readModelFilesOf(temp.dir);
    expect(readModelFiles().some(({ bytes }) => bytes.includes(sealedEmail))).to.equal(true);

    const erased = await call('DELETE', `/admin/v1/users/${userId}`, admin);
    expect(erased.status, erased.text).to.equal(200);
    expect(erased.body).to.have.keys('user_id', 'erased_at');
    expect(erased.body.user_id).to.equal(userId);
    expect(await call('DELETE', `/admin/v1/users/${userId}`, admin)).to.deep.include({ status: 200, body: erased.body });
    // an unknown user is the domain's user_not_found, answered 404 by the shared mapping
    for (const method of ['DELETE', 'GET'] as const) {
      const path = `/admin/v1/users/00000000-0000-4000-8000-000000000000${method === 'GET' ? '/export' : ''}`;
      expect(await call(method, path, admin), method).to.deep.include({
        status: 404,
        body: { error: 'user_not_found', error_description: 'user not found' },
      });
    }
    expect((await call('DELETE', `/admin/v1/users/${userId}`, app)).status).to.equal(403);

    // what is left: the erased marker, the events with "[erased]" where the values were
    // the read model forgot even the ciphertext: secure_delete and a checkpoint left no old page with it
    expect(readModelFiles().some(({ bytes }) => bytes.includes(sealedEmail))).to.equal(false);
    const profile = await t.get(`/admin/v1/users/${userId}`, admin);
    expect(profile.status).to.equal(200);
    expect(profile.body.result).to.deep.equal({ user_id: userId, erased: true, erased_at: erased.body.erased_at, apps: ['acme-web'] });
    expect((await t.get('/admin/v1/users?limit=100', admin)).body.result).to.deep.equal([]);
    const after = await call('GET', `/admin/v1/users/${userId}/export`, admin);
    holdsNone(after.text);
    expect(after.body.user).to.deep.equal({ user_id: userId, erased: true, erased_at: erased.body.erased_at, apps: ['acme-web'] });
    expect((after.body.events as { type: string }[]).map((e) => e.type)).to.include.members([...new Set(types), 'UserErased']);
    expect((after.body.events as { type: string; data: Record<string, unknown> }[]).find((e) => e.type === 'UserCreated')!.data).to.include(
      { phoneNumber: '[erased]', email: '[erased]', username: '[erased]', userId },
    );
    const ndjson = await call('GET', '/admin/v1/audit/events', auditor, 'application/x-ndjson');
    expect(ndjson.status).to.equal(200);
    holdsNone(ndjson.text);
    expect(ndjson.text).to.contain('[erased]');
    const byUser = await call('GET', `/admin/v1/audit/events?user_id=${userId}&limit=1000`, auditor);
    const records = byUser.body.result as { type: string; position: number; data: Record<string, unknown> }[];
    expect(records.map((r) => r.type)).to.include.members(['UserCreated', 'PhoneVerified', 'SessionStarted', 'UserErased']);
    expect(records.find((r) => r.type === 'PhoneVerified')!.data).to.include({ phoneNumber: '[erased]' });
    expect((await call('GET', '/admin/v1/audit/verify', auditor)).body).to.include({ ok: true });
    const erasedAt = records.find((r) => r.type === 'UserErased')!.position;
    const then = await call('GET', `/admin/v1/state?kind=user&id=${userId}&at=${erasedAt - 1}`, auditor);
    expect(then.body.result.state).to.include({
      userId,
      phoneNumber: '[erased]',
      email: '[erased]',
      username: '[erased]',
      phoneNumberVerified: true,
    });
    // the erased user's session cannot be refreshed
    const refreshed = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'acme-web',
        client_secret: 'acme-web-secret',
        refresh_token: session.refresh_token,
      }),
    });
    expect(refreshed.status).to.equal(400);
    expect(filesHolding(temp.dir)).to.deep.equal([]);

    // the same phone signs up again as a new subject, and its data is readable under its new keys
    const again = await t.post('/cis/v1/users', { phone_number: phone }, app);
    expect(again.status).to.equal(201);
    const newUserId = again.body.result.user_id as string;
    expect(newUserId).to.not.equal(userId);
    await login();
    expect((await t.get(`/admin/v1/users/${newUserId}`, admin)).body.result).to.include({
      phone_number: phone,
      phone_number_verified: true,
    });
    expect((await call('GET', `/admin/v1/users/${userId}/export`, admin)).text).to.not.contain(phone);

    // the CLI verifies every chain; a full rebuild of every read model brings nothing back
    const { configFile } = cliConfigFor(t);
    const verify = await cli(configFile, 'audit', 'verify');
    expect(verify.status, verify.stderr).to.equal(0);
    const rebuild = await cli(configFile, 'projections', 'rebuild');
    expect(rebuild.status, rebuild.stderr).to.equal(0);
    await t.server.container.cradle.projectionRunner.catchUp();
    expect((await t.get(`/admin/v1/users/${userId}`, admin)).body.result).to.include({ erased: true });
    expect((await t.get(`/admin/v1/users/${newUserId}`, admin)).body.result).to.include({ phone_number: phone });
    expect(filesHolding(temp.dir)).to.deep.equal([]);
    // nor even the ciphertext: the rebuild wrote it again and dropped it at UserErased, and no page kept it
    expect(
      readModelFiles()
        .filter(({ bytes }) => bytes.includes(sealedEmail))
        .map(({ file }) => file),
    ).to.deep.equal([]);
  });

  it('erases a user who signed up at their first login with everything sent to the phone before, through the CLI too', async () => {
    // the redirect login creates the user at the exchange: the code and the SMS came first, under the phone's key
    expect(
      (await t.post('/cis/v1/auth/otp/sms', { phone_number: phone, redirect_uri: redirectUri, create_new_user: true }, app)).status,
    ).to.equal(200);
    const validation = await t.post(
      '/cis/v1/auth/otp/sms/validation',
      { phone_number: phone, passcode: (await t.lastSms(phone)).code },
      app,
    );
    const hop = await fetch(validation.body.result as string, { redirect: 'manual' });
    const code = new URL(hop.headers.get('location')!).searchParams.get('code')!;
    const tokens = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'acme-web',
        client_secret: 'acme-web-secret',
        code,
        redirect_uri: redirectUri,
      }),
    });
    const idToken = JSON.parse(
      Buffer.from(((await tokens.json()) as { id_token: string }).id_token.split('.')[1]!, 'base64url').toString(),
    ) as { sub: string };
    const userId = idToken.sub;

    const { configFile } = cliConfigFor(t);
    const exported = await cli(configFile, 'users', 'export', '--tenant', 'acme', '--user', userId);
    expect(exported.status, exported.stderr).to.equal(0);
    const before = JSON.parse(exported.stdout) as {
      user: { phone_number: string };
      events: { type: string; data: Record<string, unknown> }[];
    };
    expect(before.user.phone_number).to.equal(phone);
    // the code issued before the user existed is in the export, with the phone it named
    expect(before.events.find((e) => e.type === 'AuthorizationCodeIssued')!.data).to.include({ phoneNumber: phone });

    const erase = await cli(configFile, 'users', 'erase', '--tenant', 'acme', '--user', userId);
    expect(erase.status, erase.stderr).to.equal(0);
    expect(JSON.parse(erase.stdout)).to.have.keys('user_id', 'erased_at');
    expect((await cli(configFile, 'users', 'erase', '--tenant', 'acme', '--user', 'nobody')).status).to.equal(1);
    const after = await cli(configFile, 'users', 'export', '--tenant', 'acme', '--user', userId);
    expect(after.status).to.equal(0);
    holdsNone(after.stdout);
    expect((JSON.parse(after.stdout) as typeof before).events.find((e) => e.type === 'AuthorizationCodeIssued')!.data).to.include({
      phoneNumber: '[erased]',
    });
    // the server sees the erasure the CLI made (shared event and key stores)
    expect((await call('GET', `/admin/v1/users/${userId}/export`, admin)).body.user).to.include({ erased: true });
    holdsNone((await call('GET', '/admin/v1/audit/events', auditor, 'application/x-ndjson')).text);
    expect(filesHolding(temp.dir)).to.deep.equal([]);
    // the log says who took the copies and who erased: the operator, as cli:<login>
    const onRecord = (await call('GET', '/admin/v1/audit/events?types=AuditQueried,UserErased&limit=1000', auditor)).body.result as {
      type: string;
      data: { actor: string; query?: string; filters?: unknown; userId?: string };
    }[];
    const operator = `cli:${os.userInfo().username}`;
    expect(
      onRecord.filter((r) => r.type === 'AuditQueried' && r.data.query === 'export').map((r) => [r.data.actor, r.data.filters]),
    ).to.deep.equal([
      [operator, { userId }],
      [operator, { userId }],
      ['acme-admin', { userId }],
    ]);
    expect(onRecord.filter((r) => r.type === 'UserErased').map((r) => [r.data.actor, r.data.userId])).to.deep.equal([[operator, userId]]);
  });
});
