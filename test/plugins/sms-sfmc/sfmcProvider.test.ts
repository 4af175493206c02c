import { expect } from 'chai';
import { compileSchema } from '../../../core/validation/compileSchema.js';
import { directEgress, smsProviderContract } from '@otpledger/plugin-kit/testing';
import { SmsProviderError, type SendContext, type SmsProvider } from '@otpledger/plugin-kit';
import sfmcPlugin from '../../../plugins/sms-sfmc/index.js';
import type { SfmcConfig } from '../../../plugins/sms-sfmc/configSchema.js';
import { createSfmcProvider } from '../../../plugins/sms-sfmc/sfmcProvider.js';
import { REFRESH_MARGIN_MS } from '../../../plugins/sms-sfmc/sfmcTokens.js';
import { CLIENT_ID, CLIENT_SECRET, DEFINITION_KEY, startSfmcGateway, type SfmcGateway } from './sfmcGateway.js';

for (const packageType of ['enhanced', 'legacy'] as const) {
  smsProviderContract(sfmcPlugin, {
    name: `SalesforceMarketingCloud (${packageType} package)`,
    gateway: () => startSfmcGateway(packageType),
    deliversSenderId: false,
  });
}

const parse = compileSchema<SfmcConfig>(sfmcPlugin.configSchema);
const context = (timeoutMs = 5_000): SendContext => ({ tenantId: 't1', timeoutMs });
const sms = { to: '+15125550123', body: 'Your code is 482913', senderId: 'Acme' };

describe('SalesforceMarketingCloud plugin', () => {
  let gateway: SfmcGateway;
  let clock: number;
  const provider = (settings: Record<string, unknown> = {}): SmsProvider =>
    createSfmcProvider(parse({ ...gateway.config, ...settings }), () => clock, directEgress());
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected a failure'),
      (e: unknown) => e as SmsProviderError,
    );

  beforeEach(() => {
    clock = 1_000_000;
  });
  afterEach(() => gateway?.close());

  describe('enhanced package', () => {
    beforeEach(async () => {
      gateway = await startSfmcGateway('enhanced');
    });

    it('gets a token on /v2/token and sends to {rest_instance_url}messaging/v1/sms/messages/{messageKey}', async () => {
      const result = await provider().send(sms, context());
      expect(gateway.tokenRequests.map((r) => [r.url, r.headers['content-type'], r.json])).to.deep.equal([
        ['/v2/token', 'application/json', { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }],
      ]);
      const [attempt] = gateway.sendAttempts;
      expect(attempt!.authorization).to.equal('Bearer token-1');
      expect(attempt!.json).to.deep.equal({
        definitionKey: DEFINITION_KEY,
        recipient: { contactKey: '+15125550123', to: '15125550123' },
        content: { message: 'Your code is 482913' },
      });
      expect(result).to.deep.equal({ providerMessageId: attempt!.messageKey });
    });

    it('uses a unique messageKey of at most 100 characters per send', async () => {
      const sfmc = provider();
      await Promise.all([sfmc.send(sms, context()), sfmc.send(sms, context()), sfmc.send(sms, context())]);
      const keys = gateway.sendAttempts.map((a) => a.messageKey);
      expect(new Set(keys).size).to.equal(3);
      for (const key of keys) expect(key.length).to.be.at.most(100);
    });

    it('caches the token until shortly before it expires, and concurrent sends share one token request', async () => {
      const sfmc = provider();
      await Promise.all([sfmc.send(sms, context()), sfmc.send(sms, context())]);
      expect(gateway.tokenRequests).to.have.length(1);
      clock += 1080_000 - REFRESH_MARGIN_MS - 1;
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(1);
      clock += 1;
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(2);
      expect(gateway.sendAttempts.at(-1)!.authorization).to.equal('Bearer token-2');
    });

    it('uses a short-lived token for half its life at least', async () => {
      gateway.lifetimeSeconds = 60;
      const sfmc = provider();
      await sfmc.send(sms, context());
      clock += 29_999;
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(1);
      clock += 1;
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(2);
    });

    it('refreshes the token once on a 401 and sends again with the same messageKey', async () => {
      const sfmc = provider();
      await sfmc.send(sms, context());
      gateway.expireTokens();
      const result = await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(2);
      const [, refused, retried] = gateway.sendAttempts;
      expect([refused!.authorization, retried!.authorization]).to.deep.equal(['Bearer token-1', 'Bearer token-2']);
      expect(retried!.messageKey).to.equal(refused!.messageKey).and.equal(result.providerMessageId);
    });

    it('gives up with auth_failed when the fresh token is refused too (one refresh, no loop)', async () => {
      gateway.unauthorizedSends = 5;
      const error = await failure(provider().send(sms, context()));
      expect(error).to.include({ code: 'auth_failed', httpStatus: 401, providerCode: 40001 });
      expect(gateway.sendAttempts).to.have.length(2);
      expect(gateway.tokenRequests).to.have.length(2);
    });

    it('reports a refused client secret as auth_failed, with Salesforce’s reason and without the secret', async () => {
      const error = await failure(provider({ client_secret: 'wrong-secret' }).send(sms, context()));
      expect(error).to.include({ code: 'auth_failed', httpStatus: 401, providerCode: 'invalid_client' });
      expect(error.message).to.contain('Invalid client ID').and.not.contain('wrong-secret');
      expect(gateway.sendAttempts).to.be.empty;
    });

    it('validate() requests a token', async () => {
      await provider().validate!(context());
      expect(gateway.tokenRequests).to.have.length(1);
      const error = await failure(provider({ client_id: 'nobody' }).validate!(context()));
      expect(error.code).to.equal('auth_failed');
    });

    describe('maps Marketing Cloud errors to kit codes', () => {
      const table: [number, unknown, string][] = [
        [404, { message: 'Definition not found', errorcode: 30003 }, 'invalid_config'],
        [400, { message: 'Invalid subscriber', errorcode: 109101 }, 'invalid_recipient'],
        [400, { message: 'Invalid phone', errorcode: 109103 }, 'invalid_recipient'],
        [400, { message: 'Missing field', errorcode: 10002 }, 'rejected'],
        [
          202,
          { requestId: 'r', errorcode: 0, responses: [{ messageKey: 'k', errorcode: 109102, message: 'bad number' }] },
          'invalid_recipient',
        ],
        [429, 'slow down', 'rate_limited'],
        [500, { message: 'Internal error' }, 'unavailable'],
      ];
      for (const [status, body, expected] of table) {
        it(`HTTP ${status} ${JSON.stringify(body)} → ${expected}`, async () => {
          gateway.nextAnswer = { status, body };
          const error = await failure(provider().send(sms, context()));
          expect(error).to.be.instanceOf(SmsProviderError).and.include({ code: expected, httpStatus: status });
          expect(error.message).not.to.contain('482913');
        });
      }
      it('a definition key Marketing Cloud does not know → invalid_config', async () => {
        const error = await failure(provider({ message_id: 'no-such-definition' }).send(sms, context()));
        expect(error).to.include({ code: 'invalid_config', providerCode: 30003 });
      });
    });
  });

  describe('legacy package', () => {
    beforeEach(async () => {
      gateway = await startSfmcGateway('legacy');
    });

    it('gets a token on /v1/requestToken with clientId/clientSecret and caches it for expiresIn', async () => {
      const sfmc = provider();
      await sfmc.send(sms, context());
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests.map((r) => [r.url, r.json])).to.deep.equal([
        ['/v1/requestToken', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
      ]);
      clock += 3600_000 - REFRESH_MARGIN_MS;
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(2);
    });

    it('refreshes once on a 401 and reports a refused secret as auth_failed', async () => {
      const sfmc = provider();
      await sfmc.send(sms, context());
      gateway.expireTokens();
      await sfmc.send(sms, context());
      expect(gateway.tokenRequests).to.have.length(2);
      const error = await failure(provider({ client_secret: 'wrong' }).send(sms, context()));
      expect(error).to.include({ code: 'auth_failed', providerCode: 1 });
    });
  });

  describe('settings', () => {
    const base = { subdomain: 'mc563885gzs27c5t9-63k636ttgm', client_id: 'id', client_secret: 's', message_id: 'otp-verification' };
    it('defaults package_type to enhanced and knows only enhanced and legacy', () => {
      expect(parse(base).package_type).to.equal('enhanced');
      expect(() => parse({ ...base, package_type: 'classic' })).to.throw(/\/package_type must be one of "enhanced", "legacy"/);
    });
    it('refuses a subdomain that would change the host', () => {
      expect(() => parse({ ...base, subdomain: 'evil.example/x' })).to.throw(/\/subdomain must match pattern/);
    });
    it('marks the client secret secret', () => {
      expect(sfmcPlugin.secretFields).to.deep.equal(['/client_secret']);
      expect(sfmcPlugin).to.include({ name: 'SalesforceMarketingCloud', settingsKey: 'salesforce_marketing_cloud' });
    });
  });
});
