import { expect } from 'chai';
import defaultProvider from '../../../plugins/sms-default/index.js';
import { smsProviderContract, startScriptedGateway, type ScriptedGateway } from '@otpledger/plugin-kit/testing';
import type { SmsMessage } from '@otpledger/plugin-kit';
import { captureLogger } from '../../support/captureLogger.js';

/**
 * Default has no HTTP of its own: it writes to the outbox it is lent. Here that outbox forwards each
 * message to a real local HTTP server, so the suite can make "the outbox" fail or hang.
 */
let gateway: ScriptedGateway;
const httpOutbox = {
  async send(sms: SmsMessage & { tenantId: string }) {
    const response = await fetch(gateway.url, { method: 'POST', body: JSON.stringify(sms), headers: { 'content-type': 'application/json' } });
    if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  },
};

smsProviderContract('Default', {
  plugin: defaultProvider,
  modes: ['succeed', 'unavailable', 'hang'],
  services: { outbox: httpOutbox },
  async start() {
    gateway = await startScriptedGateway();
    return {
      config: {},
      setMode: (mode) => void (gateway.mode = mode),
      received: () => gateway.accepted.map((req) => req.json as SmsMessage),
      close: () => gateway.close(),
    };
  },
});

describe('Default provider', () => {
  const message = { to: '+15125550123', body: 'Your code is 123456' };
  const context = (tenantId: string) => ({ tenantId, timeoutMs: 1000 });

  it('caps each tenant at its rate (token bucket), refills with time, and warns loudly once per tenant', async () => {
    let now = 0;
    const sent: string[] = [];
    const { logger, lines } = captureLogger();
    const provider = defaultProvider.create({ rate_per_second: 2, burst: 3 }, { logger, now: () => now, outbox: { send: async (sms) => void sent.push(sms.tenantId) } });
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
});
