import { expect } from 'chai';
import defaultProvider, { type DefaultProviderServices } from '../../../plugins/sms-default/index.js';
import { directEgress, smsProviderContract } from '@otpledger/plugin-kit/testing';
import type { SmsMessage } from '@otpledger/plugin-kit';
import { captureLogger } from '../../support/captureLogger.js';

/**
 * Default has no HTTP of its own: it writes to the outbox it is lent. Here that outbox forwards each
 * message to a real local HTTP server, so the suite can make "the outbox" fail or hang.
 */
let gatewayUrl = '';
const httpOutbox = {
  async send(sms: SmsMessage & { tenantId: string }) {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      body: JSON.stringify(sms),
      headers: { 'content-type': 'application/json' },
    });
    if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  },
};

smsProviderContract(defaultProvider, {
  modes: ['succeed', 'unavailable', 'hang'],
  services: { outbox: httpOutbox },
  scriptedGateway: {
    config(url) {
      gatewayUrl = url;
      return {};
    },
    received: (request) => request.json as SmsMessage,
  },
});

describe('Default provider', () => {
  const message = { to: '+15125550123', body: 'Your code is 123456' };
  const context = (tenantId: string) => ({ tenantId, timeoutMs: 1000 });

  it('caps each tenant at its rate (token bucket), refills with time, and warns loudly once per tenant', async () => {
    let now = 0;
    const sent: string[] = [];
    const { logger, lines } = captureLogger();
    const services: DefaultProviderServices = {
      logger,
      now: () => now,
      outbox: { send: async (sms) => void sent.push(sms.tenantId) },
      egress: directEgress(),
    };
    const provider = defaultProvider.create({ rate_per_second: 2, burst: 3 }, services);
    for (let i = 0; i < 3; i++) await provider.send(message, context('a'));
    const limited = await provider.send(message, context('a')).catch((e: unknown) => e as { code: string });
    expect(limited).to.include({ code: 'rate_limited' });
    await provider.send(message, context('b')); // another tenant has its own bucket
    now += 500; // one token back at 2/s
    await provider.send(message, context('a'));
    expect(sent).to.deep.equal(['a', 'a', 'a', 'b', 'a']);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.tenantId)).to.deep.equal(['a', 'b']);
    expect(warnings[0]!.msg).to.match(/EVALUATION ONLY/);
    expect(JSON.stringify(lines)).not.to.contain('123456');
  });

  it('refuses to be created without the dev outbox, which only the server lends it', () => {
    expect(() =>
      defaultProvider.create({ rate_per_second: 1, burst: 1 }, { logger: captureLogger().logger, now: () => 0, egress: directEgress() }),
    ).to.throw(/only as the server's built-in/);
  });
});
