import { expect } from 'chai';
import twilio from 'twilio';
import { compileSchema } from '../../../core/validation/compileSchema.js';
import { directEgress, smsProviderContract } from '@otpledger/plugin-kit/testing';
import { SmsProviderError, type ProviderServices, type SendContext, type SmsProvider } from '@otpledger/plugin-kit';
import twilioPlugin from '../../../plugins/sms-twilio/index.js';
import type { TwilioConfig } from '../../../plugins/sms-twilio/configSchema.js';
import { ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, startTwilioGateway, twilioError, type TwilioGateway } from './twilioGateway.js';
import { expectConformingRequest, findOperation, twilioApiV2010 } from './twilioOpenApi.js';

smsProviderContract(twilioPlugin, { gateway: () => startTwilioGateway() });

const services = {
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  now: () => performance.now(),
  egress: directEgress(),
} as unknown as ProviderServices;
const context = (timeoutMs = 5_000): SendContext => ({ tenantId: 't1', timeoutMs });
const parse = compileSchema<TwilioConfig>(twilioPlugin.configSchema);
const credentials: [string, string] = [ACCOUNT_SID, AUTH_TOKEN];

describe('Twilio plugin', () => {
  let gateway: TwilioGateway;
  const provider = (settings: Record<string, unknown> = {}): SmsProvider =>
    twilioPlugin.create(parse({ ...gateway.config, ...settings }), services);
  const lastRequest = () => gateway.scripted.requests.at(-1)!;

  afterEach(() => gateway?.close());

  describe('requests conform to CreateMessage in twilio_api_v2010 (OpenAPI)', () => {
    it('with a sender number: To, From, Body; answers sid and num_segments', async () => {
      gateway = await startTwilioGateway({ from: '+15005550006' });
      const result = await provider().send({ to: '+15125550123', body: 'Your code is 482913' }, context());
      expectConformingRequest(lastRequest(), 'CreateMessage', credentials);
      expect(lastRequest().json).to.deep.equal({ To: '+15125550123', From: '+15005550006', Body: 'Your code is 482913' });
      expect(result).to.deep.equal({ providerMessageId: `SM${'1'.padStart(32, '0')}`, segments: 1 });
    });

    it('with a Messaging Service: MessagingServiceSid and no From, so Twilio picks the sender', async () => {
      gateway = await startTwilioGateway({ messaging_service_sid: MESSAGING_SERVICE_SID });
      await provider()
        .send({ to: '+15125550123', body: 'x'.repeat(200) }, context())
        .then((result) => {
          expect(result.segments).to.equal(2);
        });
      expectConformingRequest(lastRequest(), 'CreateMessage', credentials);
      expect(lastRequest().json).to.deep.equal({ To: '+15125550123', MessagingServiceSid: MESSAGING_SERVICE_SID, Body: 'x'.repeat(200) });
    });

    it('with a Messaging Service and a per-message sender id: both, as Twilio allows', async () => {
      gateway = await startTwilioGateway({ messaging_service_sid: MESSAGING_SERVICE_SID });
      await provider().send({ to: '+15125550123', body: 'hi', senderId: 'Acme' }, context());
      expectConformingRequest(lastRequest(), 'CreateMessage', credentials);
      expect(lastRequest().json).to.include({ From: 'Acme', MessagingServiceSid: MESSAGING_SERVICE_SID });
    });

    it('validate() fetches the account (FetchAccount) and fails with auth_failed on a wrong token', async () => {
      gateway = await startTwilioGateway();
      await provider().validate!(context());
      expectConformingRequest(lastRequest(), 'FetchAccount', credentials);
      const error = await provider({ auth_token: 'wrong' }).validate!(context()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(SmsProviderError).and.include({ code: 'auth_failed', httpStatus: 401, providerCode: 20003 });
    });

    it("without api_base_url the SDK targets the spec's server, https://api.twilio.com", () => {
      const servers = (findOperation('CreateMessage').spec.servers ?? twilioApiV2010.servers) as { url: string }[];
      expect(twilio(ACCOUNT_SID, AUTH_TOKEN).api.baseUrl).to.equal(servers[0]!.url).and.equal('https://api.twilio.com');
    });

    it('the check itself fails on a request the spec refuses', () => {
      const request = {
        method: 'POST',
        url: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
        json: undefined,
        headers: {
          authorization: `Basic ${Buffer.from(credentials.join(':')).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
      };
      const check =
        (body: string, url = request.url) =>
        () =>
          expectConformingRequest({ ...request, url, body }, 'CreateMessage', credentials);
      expect(check('To=%2B15125550123&From=%2B15005550006&Body=hi')).not.to.throw();
      expect(check('From=%2B15005550006&Body=hi'), 'To missing').to.throw(/required parameter/);
      expect(check('To=%2B15125550123&Body=hi'), 'no sender').to.throw(/one of from \| messaging_service_sid/);
      expect(check('To=%2B15125550123&From=x&Body=hi&Sender=y'), 'unknown').to.throw(/Sender is known/);
      expect(check('To=%2B15125550123&MessagingServiceSid=MG1&Body=hi'), 'bad sid').to.throw(/MessagingServiceSid/);
      expect(check('To=%2B1&From=x&Body=hi', '/2010-04-01/Accounts/AC1/Messages.json'), 'bad path').to.throw(/AccountSid/);
    });
  });

  describe('maps Twilio errors to kit codes', () => {
    const table: [number, number | undefined, string][] = [
      [400, 21211, 'invalid_recipient'],
      [401, 20003, 'auth_failed'],
      [429, 20429, 'rate_limited'],
      [400, 21408, 'rejected'],
      [400, 21610, 'rejected'],
      [400, 21614, 'rejected'],
      [400, 21606, 'rejected'],
      [500, 20500, 'unavailable'],
      [503, undefined, 'unavailable'],
    ];
    for (const [status, code, expected] of table) {
      it(`HTTP ${status}${code ? ` code ${code}` : ''} → ${expected}`, async () => {
        gateway = await startTwilioGateway();
        gateway.nextAnswer = code ? twilioError(status, code, 'refused') : { status, body: 'Bad gateway' };
        const error = await provider()
          .send({ to: '+15125550123', body: 'Your code is 482913' }, context())
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).to.be.instanceOf(SmsProviderError).and.include({ code: expected, httpStatus: status });
        expect((error as SmsProviderError).providerCode).to.equal(code);
        expect((error as Error).message).not.to.contain('482913');
      });
    }

    it('a refused connection → unavailable', async () => {
      gateway = await startTwilioGateway();
      const settings = { api_base_url: gateway.config.api_base_url };
      await gateway.close();
      const error = await provider(settings)
        .send({ to: '+15125550123', body: 'hi' }, context())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).to.be.instanceOf(SmsProviderError).and.include({ code: 'unavailable' });
      expect((error as Error).message).to.contain('ECONNREFUSED');
    });

    it("an aborted context signal → timeout, without waiting for the SDK's own timeout", async () => {
      gateway = await startTwilioGateway();
      gateway.setMode('hang');
      const controller = new AbortController();
      const sending = provider().send({ to: '+15125550123', body: 'hi' }, { ...context(60_000), signal: controller.signal });
      controller.abort();
      const error = await sending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(SmsProviderError).and.include({ code: 'timeout' });
    });
  });

  describe('settings', () => {
    const base = { account_sid: ACCOUNT_SID, auth_token: AUTH_TOKEN };
    it('needs exactly one of from and messaging_service_sid', () => {
      expect(() => parse({ ...base, from: '+15005550006' })).not.to.throw();
      expect(() => parse({ ...base, messaging_service_sid: MESSAGING_SERVICE_SID })).not.to.throw();
      expect(() => parse(base)).to.throw(/\/from is required; \/messaging_service_sid is required/);
      expect(() => parse({ ...base, from: '+15005550006', messaging_service_sid: MESSAGING_SERVICE_SID })).to.throw(/oneOf/);
    });
    it('checks the SID formats and marks the auth token secret', () => {
      expect(() => parse({ ...base, account_sid: 'AC123', from: 'x' })).to.throw(/\/account_sid must match pattern/);
      expect(() => parse({ ...base, messaging_service_sid: 'MG123' })).to.throw(/\/messaging_service_sid must match pattern/);
      expect(twilioPlugin.secretFields).to.deep.equal(['/auth_token']);
      expect(twilioPlugin).to.include({ name: 'Twilio', settingsKey: 'twilio' });
    });
  });
});
