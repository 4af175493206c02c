import { expect } from 'chai';
import { SmsProviderError, type ProviderServices, type SmsProviderPlugin } from '@otpledger/plugin-kit';
import type { ContractGateway } from '@otpledger/plugin-kit/testing';
import { compileSchema } from '../../core/validation/compileSchema.js';
import { EgressGuard } from '../../core/sms/egressGuard.js';
import customGateway from '../../plugins/sms-custom-gateway/index.js';
import smsGateway from '../../plugins/sms-gateway/index.js';
import sfmc from '../../plugins/sms-sfmc/index.js';
import twilio from '../../plugins/sms-twilio/index.js';
import { startCustomGateway } from '../support/customGatewayServer.js';
import { startAuth0Gateway } from './sms-gateway/auth0Gateway.js';
import { startSfmcGateway } from './sms-sfmc/sfmcGateway.js';
import { startTwilioGateway } from './sms-twilio/twilioGateway.js';

/** Every built-in plugin that makes HTTP calls, with its local test gateway. */
const plugins: [SmsProviderPlugin<any>, () => Promise<ContractGateway & { requestsSeen(): number }>][] = [
  [
    customGateway,
    async () => {
      const gateway = await startCustomGateway('egress-key-1');
      return {
        config: { uri: `${gateway.url}/send-sms`, api_key: 'egress-key-1' },
        ...gateway.controls,
        requestsSeen: () => gateway.server.requests.length,
      };
    },
  ],
  [
    smsGateway,
    async () => {
      const gateway = await startAuth0Gateway();
      return { ...gateway, requestsSeen: () => gateway.requests.length };
    },
  ],
  [
    sfmc,
    async () => {
      const gateway = await startSfmcGateway();
      return { ...gateway, requestsSeen: () => gateway.tokenRequests.length + gateway.sendAttempts.length };
    },
  ],
  [
    twilio,
    async () => {
      const gateway = await startTwilioGateway();
      return { ...gateway, requestsSeen: () => gateway.scripted.requests.length };
    },
  ],
];

/**
 * Each plugin must connect through the agents the server lends it (`services.egress`): with a guard that
 * refuses loopback, its gateway on 127.0.0.1 must see nothing and the failure must say why. A plugin using
 * its own HTTP agent would reach the gateway.
 */
describe('built-in plugins connect only through the server egress guard', function () {
  this.timeout(20_000);

  for (const [plugin, start] of plugins) {
    it(`${plugin.name}: a send (and a registration check) to a refused address never leaves`, async () => {
      const gateway = await start();
      const guard = new EgressGuard({ allowPrivateNetworks: false, ownAddresses: () => [] });
      try {
        const silent = { debug() {}, info() {}, warn() {}, error() {} };
        const services: ProviderServices = { logger: silent, now: () => performance.now(), egress: guard.services() };
        const provider = plugin.create(compileSchema(plugin.configSchema)(gateway.config), services);
        const context = { tenantId: 't', timeoutMs: 3000 };
        for (const attempt of [
          () => provider.send({ to: '+15125550123', body: 'code 123456' }, context),
          ...(provider.validate ? [() => provider.validate!(context)] : []),
        ]) {
          const error = await attempt().then(
            () => expect.fail('expected a refusal'),
            (e: unknown) => e as SmsProviderError,
          );
          expect(error, String(error)).to.be.instanceOf(SmsProviderError);
          expect(error.code, error.message).to.equal('invalid_config');
          expect(error.message).to.match(/127\.0\.0\.1 is a loopback address/);
        }
        expect(gateway.requestsSeen()).to.equal(0);
      } finally {
        guard.close();
        await gateway.close();
      }
    });
  }
});
