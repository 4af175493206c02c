import { expect } from 'chai';
import { accountSidOf } from '../../../../core/twilioVerify/accountSid.js';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';
import { twilioFailure, twilioVerifyClient } from '../../../support/twilioVerifyClient.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('Twilio Verify dialect: Services through the official twilio SDK', function () {
  this.timeout(30_000);
  let t: TestServer;
  let admin: ReturnType<typeof twilioVerifyClient>;

  before(async () => {
    t = await startOtpServer();
    admin = twilioVerifyClient(t.url, 'acme-admin', 'acme-admin-secret');
  });
  after(() => t.close());

  const form = (path: string, fields: Record<string, string>, auth = basic('acme-admin', 'acme-admin-secret')) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

  it("creates, fetches, lists, updates and deletes a Service; each change is an event of the tenant's Services stream", async () => {
    const created = await admin.verify.v2.services.create({ friendlyName: 'Acme Shop', codeLength: 8 });
    expect(created.sid).to.match(/^VA[0-9a-f]{32}$/);
    expect(created).to.include({
      accountSid: accountSidOf('acme'),
      friendlyName: 'Acme Shop',
      codeLength: 8,
      customCodeEnabled: false,
      doNotShareWarningEnabled: false,
    });
    expect(created.url).to.equal(`${t.url}/v2/Services/${created.sid}`);
    expect(created.links).to.include({
      verifications: `${created.url}/Verifications`,
      verification_checks: `${created.url}/VerificationCheck`,
    });
    expect(created.dateCreated).to.be.instanceOf(Date);

    const fetched = await admin.verify.v2.services(created.sid).fetch();
    expect(fetched.friendlyName).to.equal('Acme Shop');
    expect((await admin.verify.v2.services.list()).map((service) => service.sid)).to.include(created.sid);

    const updated = await admin.verify.v2.services(created.sid).update({ friendlyName: 'Acme Store', doNotShareWarningEnabled: true });
    expect(updated).to.include({ friendlyName: 'Acme Store', codeLength: 8, doNotShareWarningEnabled: true });

    expect(await admin.verify.v2.services(created.sid).remove()).to.equal(true);
    const gone = await twilioFailure(admin.verify.v2.services(created.sid).fetch());
    expect(gone).to.include({ status: 404, code: 20404 });
    expect(gone.moreInfo).to.equal('https://www.twilio.com/docs/errors/20404');

    const types = (await t.server.container.cradle.eventStore.readStream('verifyservices-acme')).map((event) => event.type);
    expect(types.slice(-3)).to.deep.equal(['VerifyServiceCreated', 'VerifyServiceUpdated', 'VerifyServiceDeleted']);
  });

  it("takes Twilio's defaults (6 digits, 10 minutes, 5 checks, 5 sends) and the Otpledger.* limits", async () => {
    const plain = await form('/v2/Services', { FriendlyName: 'Plain' });
    expect(plain.status).to.equal(201);
    expect(plain.body).to.include({ code_length: 6 });
    expect(plain.body.otpledger).to.deep.equal({ code_validity_seconds: 600, max_check_attempts: 5, max_send_attempts: 5 });
    const tuned = await form('/v2/Services', {
      FriendlyName: 'Tuned',
      'Otpledger.CodeValiditySeconds': '300',
      'Otpledger.MaxCheckAttempts': '3',
      'Otpledger.MaxSendAttempts': '2',
    });
    expect(tuned.body.otpledger).to.deep.equal({ code_validity_seconds: 300, max_check_attempts: 3, max_send_attempts: 2 });
  });

  it('refuses bad and unsupported parameters by name with 400 60200, and ignores parameters Twilio does not know', async () => {
    const tooLong = await twilioFailure(admin.verify.v2.services.create({ friendlyName: 'Acme', codeLength: 11 }));
    expect(tooLong).to.include({ status: 400, code: 60200 });
    expect(tooLong.message).to.equal('Invalid parameter: CodeLength (must be <= 10)');
    const missing = await form('/v2/Services', { CodeLength: '6' });
    expect(missing.body).to.deep.equal({
      code: 60200,
      message: 'Missing required parameter FriendlyName',
      more_info: 'https://www.twilio.com/docs/errors/60200',
      status: 400,
    });
    expect((await form('/v2/Services', { FriendlyName: 'Acme 12345' })).body.message).to.equal(
      'Invalid parameter: FriendlyName (at most 4 digits)',
    );
    expect((await form('/v2/Services', { FriendlyName: 'acme.example/x' })).body.code).to.equal(60200);

    const psd2 = await twilioFailure(admin.verify.v2.services.create({ friendlyName: 'Acme', psd2Enabled: true }));
    expect(psd2.message).to.equal('Invalid parameter: Psd2Enabled (PSD2 transaction parameters are not offered by this server)');
    expect((await form('/v2/Services', { FriendlyName: 'Acme', CustomCodeEnabled: 'true' })).body).to.include({
      code: 60200,
      message: 'Invalid parameter: CustomCodeEnabled (codes are always generated by this server)',
    });
    expect((await form('/v2/Services', { FriendlyName: 'Acme', 'Totp.Issuer': 'Acme' })).body.message).to.match(
      /^Invalid parameter: Totp.Issuer/,
    );
    // false is what leaving it out means
    expect((await admin.verify.v2.services.create({ friendlyName: 'Acme', lookupEnabled: false, customCodeEnabled: false })).sid).to.match(
      /^VA/,
    );
    expect((await form('/v2/Services', { FriendlyName: 'Acme', SomethingNew: 'x' })).status).to.equal(201);
  });

  it('wrong credentials get 401 20003 (unknown client and wrong secret alike); an app client may not manage Services (403 20403)', async () => {
    for (const [id, secret] of [
      ['acme-admin', 'wrong'],
      ['nobody', 'acme-admin-secret'],
    ] as const) {
      const failure = await twilioFailure(twilioVerifyClient(t.url, id, secret).verify.v2.services.list());
      expect(failure).to.include({ status: 401, code: 20003, message: 'Authenticate' });
    }
    const noAuth = await fetch(`${t.url}/v2/Services`);
    expect(noAuth.status).to.equal(401);
    expect(noAuth.headers.get('www-authenticate')).to.equal('Basic realm="Twilio API"');
    expect(await noAuth.json()).to.deep.equal({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    const app = await twilioFailure(
      twilioVerifyClient(t.url, 'acme-web', 'acme-web-secret').verify.v2.services.create({ friendlyName: 'Nope' }),
    );
    expect(app).to.include({ status: 403, code: 20403 });
  });

  it('pages the list the way the SDK follows it (meta.next_page_url)', async () => {
    for (let i = 0; i < 3; i++) await admin.verify.v2.services.create({ friendlyName: `Paged ${i}` });
    const all = await admin.verify.v2.services.list({ pageSize: 2 });
    expect(all.filter((service) => service.friendlyName.startsWith('Paged')).map((service) => service.friendlyName)).to.deep.equal([
      'Paged 0',
      'Paged 1',
      'Paged 2',
    ]);
    const raw = (await (
      await fetch(`${t.url}/v2/Services?PageSize=2`, { headers: { authorization: basic('acme-admin', 'acme-admin-secret') } })
    ).json()) as any;
    expect(raw.services).to.have.length(2);
    expect(raw.meta).to.include({
      page: 0,
      page_size: 2,
      key: 'services',
      previous_page_url: null,
      next_page_url: `${t.url}/v2/Services?PageSize=2&Page=1`,
    });
  });

  it('refuses a bad page query by name with 400 60200, as its schema describes it', async () => {
    const list = async (query: string) => {
      const response = await fetch(`${t.url}/v2/Services?${query}`, {
        headers: { authorization: basic('acme-admin', 'acme-admin-secret') },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await list('PageSize=0')).to.deep.equal({
      status: 400,
      body: {
        code: 60200,
        message: 'Invalid parameter: PageSize (must be >= 1)',
        more_info: 'https://www.twilio.com/docs/errors/60200',
        status: 400,
      },
    });
    expect((await list('PageSize=1001')).body.message).to.equal('Invalid parameter: PageSize (must be <= 1000)');
    expect((await list('Page=x')).body.message).to.equal('Invalid parameter: Page (must be integer)');
    expect((await list('Page=1&Page=2')).body.message).to.equal('Invalid parameter: Page (must be given once)');
    expect((await list('PageSize=5&Page=0')).status).to.equal(200);
  });

  it("answers an unknown path under /v2 in Twilio's shape", async () => {
    const response = await fetch(`${t.url}/v2/Nothing`, { headers: { authorization: basic('acme-admin', 'acme-admin-secret') } });
    expect(response.status).to.equal(404);
    expect(await response.json()).to.include({ code: 20404, status: 404 });
  });
});
