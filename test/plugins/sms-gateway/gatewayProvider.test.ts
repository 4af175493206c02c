import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import { compileSchema } from '../../../core/validation/compileSchema.js';
import { directEgress, smsProviderContract } from '@otpledger/plugin-kit/testing';
import { SmsProviderError, type SendContext, type SmsProvider } from '@otpledger/plugin-kit';
import type { SmsGatewayConfig } from '../../../plugins/sms-gateway/configSchema.js';
import { createSmsGatewayProvider } from '../../../plugins/sms-gateway/gatewayProvider.js';
import { TOKEN_LIFETIME_SECONDS } from '../../../plugins/sms-gateway/gatewayToken.js';
import smsGatewayPlugin from '../../../plugins/sms-gateway/index.js';
import { startAuth0Gateway, type Auth0Gateway, type GatewayAuth } from './auth0Gateway.js';

const AUTH: GatewayAuth = { subject: 'urn:Auth0', audience: 'urn:MySmsGateway', secret: 'MySecretToSignTheToken' };

smsProviderContract(smsGatewayPlugin, {
  name: 'sms_gateway (Auth0 style, bearer JWT)',
  gateway: () => startAuth0Gateway(AUTH),
});

const parse = compileSchema<SmsGatewayConfig>(smsGatewayPlugin.configSchema);
const context = (extra: Partial<SendContext> = {}): SendContext => ({ tenantId: 't1', timeoutMs: 5_000, ...extra });
const sms = { to: '+1 399 999', body: 'Your verification code is: 12345' };

describe('sms_gateway plugin (Auth0 style)', () => {
  let gateway: Auth0Gateway;
  // A fixed wall clock near the real one, taken per test: the gateway checks exp against its own
  // clock, so a time taken when the file loads would expire once the suite runs past a minute.
  let now = 0;
  beforeEach(() => {
    now = Math.floor(Date.now() / 1000) * 1000;
  });
  const provider = (settings: Record<string, unknown> = {}, clock = () => now): SmsProvider =>
    createSmsGatewayProvider(parse({ ...gateway.config, ...settings }), directEgress(), clock);
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected a failure'),
      (e: unknown) => e as SmsProviderError,
    );

  afterEach(() => gateway?.close());

  describe('request', () => {
    it('posts { recipient, body, sender } as JSON, sender from `from`, and no Authorization without gateway_authentication', async () => {
      gateway = await startAuth0Gateway();
      expect(await provider().send(sms, context())).to.deep.equal({});
      const [request] = gateway.requests;
      expect(request!.json).to.deep.equal({ recipient: '+1 399 999', body: 'Your verification code is: 12345', sender: '+1 234 567' });
      expect(request!.headers['content-type']).to.equal('application/json');
      expect(request!.headers.authorization).to.equal(undefined);
    });

    it('uses the message’s sender id over `from`', async () => {
      gateway = await startAuth0Gateway();
      await provider().send({ ...sms, senderId: 'Acme' }, context());
      expect(gateway.requests[0]!.json.sender).to.equal('Acme');
    });

    it('adds req: { ip, "user-agent" } only when forward_req_info is on and the request is known', async () => {
      gateway = await startAuth0Gateway();
      const request = { ip: '167.56.227.117', userAgent: 'Mozilla/5.0 (Macintosh)' };
      await provider({ forward_req_info: true }).send(sms, context({ request }));
      await provider({ forward_req_info: true }).send(sms, context());
      await provider({ forward_req_info: false }).send(sms, context({ request }));
      expect(gateway.requests.map((r) => r.json.req)).to.deep.equal([
        { ip: '167.56.227.117', 'user-agent': 'Mozilla/5.0 (Macintosh)' },
        undefined,
        undefined,
      ]);
    });
  });

  describe('bearer JWT (verified by the gateway with jose)', () => {
    it('signs HS256 with sub, aud, iat and a short exp', async () => {
      gateway = await startAuth0Gateway(AUTH);
      await provider().send(sms, context());
      const [request] = gateway.requests;
      expect(request!.claims).to.deep.equal({
        sub: 'urn:Auth0',
        aud: 'urn:MySmsGateway',
        iat: now / 1000,
        exp: now / 1000 + TOKEN_LIFETIME_SECONDS,
      });
      expect(decodeProtectedHeader(request!.headers.authorization!.slice('Bearer '.length))).to.deep.equal({ alg: 'HS256', typ: 'JWT' });
    });

    it('mints a fresh token per request', async () => {
      gateway = await startAuth0Gateway(AUTH);
      let clock = now;
      const sender = provider({}, () => clock);
      await sender.send(sms, context());
      clock += 5_000;
      await sender.send(sms, context());
      expect(gateway.requests.map((r) => r.claims?.iat)).to.deep.equal([now / 1000, now / 1000 + 5]);
    });

    it('signs with the base64url-decoded secret when secret_base64_encoded', async () => {
      const secret = Buffer.from('raw secret bytes \u00ff\u0000 that are not text').toString('base64url');
      gateway = await startAuth0Gateway({ ...AUTH, secret, secretBase64Encoded: true });
      await provider().send(sms, context());
      expect(gateway.requests[0]!.claims?.sub).to.equal('urn:Auth0');
      // The same secret used as text does not verify.
      const error = await failure(
        provider({ gateway_authentication: { ...(gateway.config.gateway_authentication as object), secret_base64_encoded: false } }).send(
          sms,
          context(),
        ),
      );
      expect(error).to.include({ code: 'auth_failed', message: 'Authentication failed while calling the SMS gateway: 401' });
    });

    it('a wrong secret, subject or audience is refused by the gateway: auth_failed with Auth0’s words', async () => {
      gateway = await startAuth0Gateway(AUTH);
      for (const wrong of [{ secret: 'another-secret' }, { subject: 'urn:Other' }, { audience: 'urn:Other' }]) {
        const settings = { gateway_authentication: { method: 'bearer', ...AUTH, ...wrong } };
        const error = await failure(provider(settings).send(sms, context()));
        expect(error).to.include({
          code: 'auth_failed',
          httpStatus: 401,
          message: 'Authentication failed while calling the SMS gateway: 401',
        });
      }
    });

    it('a secret that is not base64url while secret_base64_encoded is invalid_config, and nothing is sent', async () => {
      gateway = await startAuth0Gateway(AUTH);
      const settings = { gateway_authentication: { method: 'bearer', ...AUTH, secret: 'not base64!', secret_base64_encoded: true } };
      const error = await failure(provider(settings).send(sms, context()));
      expect(error.code).to.equal('invalid_config');
      expect(gateway.requests).to.be.empty;
    });
  });

  describe('only the HTTP status counts', () => {
    const table: [number, string][] = [
      [201, 'rejected'],
      [204, 'rejected'],
      [302, 'rejected'],
      [400, 'rejected'],
      [403, 'auth_failed'],
      [404, 'rejected'],
      [429, 'rate_limited'],
      [500, 'unavailable'],
      [503, 'unavailable'],
    ];
    for (const [status, code] of table) {
      it(`${status} → ${code}, "Unexpected response while calling the SMS gateway: ${status}"`, async () => {
        gateway = await startAuth0Gateway();
        gateway.status = status;
        const error = await failure(provider().send(sms, context()));
        expect(error)
          .to.be.instanceOf(SmsProviderError)
          .and.include({ code, httpStatus: status, message: `Unexpected response while calling the SMS gateway: ${status}` });
      });
    }

    it('a gateway that does not answer in time → timeout, "Timeout while calling the SMS gateway: ETIMEDOUT"', async () => {
      gateway = await startAuth0Gateway();
      gateway.mode = 'hang';
      const error = await failure(provider().send(sms, context({ timeoutMs: 150 })));
      expect(error).to.include({ code: 'timeout', message: 'Timeout while calling the SMS gateway: ETIMEDOUT' });
    });

    it("the context's signal firing first → timeout, with a code in the message", async () => {
      gateway = await startAuth0Gateway();
      gateway.mode = 'hang';
      const error = await failure(provider().send(sms, context({ signal: AbortSignal.timeout(100) })));
      expect(error).to.include({ code: 'timeout', message: 'Timeout while calling the SMS gateway: ETIMEDOUT' });
      const controller = new AbortController();
      const sending = provider().send(sms, context({ signal: controller.signal }));
      controller.abort();
      expect(await failure(sending)).to.include({ code: 'timeout', message: 'Timeout while calling the SMS gateway: ERR_ABORTED' });
    });

    it('a refused connection → unavailable', async () => {
      gateway = await startAuth0Gateway();
      await gateway.close();
      const error = await failure(provider().send(sms, context()));
      expect(error).to.include({ code: 'unavailable', message: 'Error while calling the SMS gateway: ECONNREFUSED' });
    });
  });

  describe('settings', () => {
    const base = { gateway_url: 'https://sms.example.com/send', from: '+1 234 567' };
    const auth = (extra: object) => ({ ...base, gateway_authentication: { method: 'bearer', ...AUTH, ...extra } });
    it('takes Auth0’s connection options and defaults', () => {
      expect(parse(auth({}))).to.deep.equal({ ...auth({ secret_base64_encoded: false }), forward_req_info: false });
      expect(smsGatewayPlugin).to.include({ name: 'sms_gateway', settingsKey: 'sms_gateway', defaultTimeoutMs: 30_000 });
      expect(smsGatewayPlugin.secretFields).to.deep.equal(['/gateway_authentication/secret']);
    });
    it('enforces Auth0’s limits: subject ≤ 64, audience ≤ 128, secret ≤ 5120, method bearer', () => {
      expect(() => parse(auth({ subject: 's'.repeat(64), audience: 'a'.repeat(128), secret: 'x'.repeat(5120) }))).not.to.throw();
      expect(() => parse(auth({ subject: 's'.repeat(65) }))).to.throw(/\/gateway_authentication\/subject must NOT have more than 64/);
      expect(() => parse(auth({ audience: 'a'.repeat(129) }))).to.throw(/\/gateway_authentication\/audience/);
      expect(() => parse(auth({ secret: 'x'.repeat(5121) }))).to.throw(/\/gateway_authentication\/secret/);
      expect(() => parse(auth({ method: 'basic' }))).to.throw(/\/gateway_authentication\/method must be one of "bearer"/);
    });
  });
});
