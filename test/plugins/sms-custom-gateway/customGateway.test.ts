import { expect } from 'chai';
import customGateway from '../../../plugins/sms-custom-gateway/index.js';
import { directEgress, smsProviderContract, startScriptedGateway, type GatewayRequest } from '@otpledger/plugin-kit/testing';
import { startCustomGateway } from '../../support/customGatewayServer.js';

smsProviderContract(customGateway, {
  async gateway() {
    const gateway = await startCustomGateway('gw-key-1234');
    return { config: { uri: `${gateway.url}/send-sms`, api_key: 'gw-key-1234' }, ...gateway.controls };
  },
});

describe('CustomGateway', () => {
  const services = {
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    now: () => 0,
    outbox: { send: async () => {} },
    egress: directEgress(),
  };
  const context = { tenantId: 't', timeoutMs: 2000 };

  it('sends X-API-Key and the Mosaic body, and runs the challenge with X-Scheme and a random X-Verification-Key', async () => {
    const gateway = await startCustomGateway('k-1');
    try {
      const provider = customGateway.create({ uri: `${gateway.url}/send-sms`, api_key: 'k-1' }, services);
      await provider.validate!(context);
      await provider.validate!(context);
      await provider.send({ to: '+15125550123', body: 'code 1', senderId: 'Acme' }, context);
      const [first, second, post] = gateway.server.requests as [GatewayRequest, GatewayRequest, GatewayRequest];
      expect(first).to.deep.include({ method: 'GET', url: '/send-sms' });
      expect(first.headers).to.include({ 'x-api-key': 'k-1', 'x-scheme': 'http' });
      expect(first.headers['x-verification-key'])
        .to.match(/^[A-Za-z0-9_-]{16,}$/)
        .and.not.equal(second.headers['x-verification-key']);
      expect(post).to.deep.include({ method: 'POST', json: { phone_number: '+15125550123', sender_id: 'Acme', message: 'code 1' } });
      expect(post.headers['x-api-key']).to.equal('k-1');
    } finally {
      await gateway.server.close();
    }
  });

  it('fails the challenge when the gateway does not echo the key, or refuses the API key', async () => {
    const wrongEcho = await startScriptedGateway({
      always: (req) => (req.method === 'GET' ? { status: 200, body: { key: 'nope' } } : undefined),
    });
    const refusing = await startCustomGateway('other-key');
    try {
      const echo = customGateway.create({ uri: wrongEcho.url, api_key: 'k' }, services);
      await expectCode(echo.validate!(context), 'invalid_config', /did not echo X-Verification-Key/);
      const refused = customGateway.create({ uri: refusing.url, api_key: 'wrong-key' }, services);
      await expectCode(refused.validate!(context), 'auth_failed', /answered 401/);
      await expectCode(refused.send({ to: '+15125550123', body: 'x' }, context), 'auth_failed', /answered 401/);
    } finally {
      await wrongEcho.close();
      await refusing.server.close();
    }
  });

  it('reports an unreachable gateway as unavailable', async () => {
    const gateway = await startScriptedGateway();
    await gateway.close();
    const provider = customGateway.create({ uri: gateway.url, api_key: 'k' }, services);
    await expectCode(provider.send({ to: '+15125550123', body: 'x' }, context), 'unavailable', /could not reach the custom SMS gateway/);
  });
});

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(error, 'expected a failure').to.exist;
  expect(error!.code).to.equal(code);
  expect(error!.message).to.match(message);
}
