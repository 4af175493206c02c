import { expect } from 'chai';
import { privateGatewayProblem } from '../../core/sms/gatewayAddress.js';
import { startCustomGateway } from '../support/customGatewayServer.js';
import { startOtpServer } from '../support/otpServer.js';

describe('provider settings may not point the server at its own network (SSRF guard)', function () {
  this.timeout(30_000);

  it('finds loopback, private, link-local and mapped addresses anywhere in the settings, and lets public ones pass', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'https://10.1.2.3/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:80/', 'http://[::ffff:192.168.0.1]/', 'http://localhost:1/']) {
      expect(await privateGatewayProblem({ nested: { gateway_url: url } }), url).to.match(/private or loopback address/);
    }
    expect(await privateGatewayProblem({ gateway_url: 'https://93.184.215.14/sms', note: 'not a url' })).to.equal(undefined);
  });

  it('refuses such a gateway with a 400 naming the field when sms.allowPrivateNetworks is off, and keeps the old provider', async () => {
    const gateway = await startCustomGateway('gw-key-123456789');
    const t = await startOtpServer({ overlay: { sms: { allowPrivateNetworks: false } } });
    try {
      const admin = await t.clientToken('acme-admin');
      const refused = await t.put('/cis/v1/tenantsmsproviders', { provider: 'CustomGateway', custom_gateway: { uri: `${gateway.url}/send-sms`, api_key: 'gw-key-123456789' } }, admin);
      expect(refused.status).to.equal(400);
      expect(refused.body.message).to.match(/^CustomGateway: \/uri: 127\.0\.0\.1:\d+ is a private or loopback address/);
      expect(gateway.server.requests).to.have.length(0); // not even the challenge went out
      expect((await t.get('/cis/v1/tenantsmsproviders', admin)).body.provider).to.equal('Default');
    } finally {
      await t.close();
      await gateway.server.close();
    }
  });
});
