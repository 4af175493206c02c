import type { ProviderServices } from '@otpledger/plugin-kit';
import type { DefaultProviderServices } from '../../plugins/sms-default/index.js';
import type { Logger } from '../logger.js';
import type { DevOutbox } from './devOutbox.js';
import type { EgressGuard } from './egressGuard.js';
import type { LoadedPlugin } from './pluginRegistry.js';

/** The services a provider is created with, chosen by which plugin it is. */
export type ProviderServicesFor = (loaded: Pick<LoadedPlugin, 'plugin' | 'builtIn'>) => ProviderServices;

/**
 * What the server lends the providers it creates. Every plugin gets a logger, the monotonic clock (rate
 * limits run on it, not on the domain clock: a test that freezes the domain clock must not freeze the Default
 * provider's bucket) and the egress guard's agents, through which every connection it makes must go (SSRF).
 * Only the built-in Default provider also gets the dev outbox, where SMS (codes in clear) are kept for
 * evaluation: no other plugin, built-in or third-party, can write there or learn it exists.
 */
export function providerServices({
  logger,
  devOutbox,
  egress,
}: {
  logger: Logger;
  devOutbox: Pick<DevOutbox, 'send'>;
  egress: Pick<EgressGuard, 'services'>;
}): ProviderServicesFor {
  const base: ProviderServices = Object.freeze({
    logger: logger.child({ component: 'sms-provider' }),
    now: () => performance.now(),
    egress: egress.services(),
  });
  const forDefault: DefaultProviderServices = { ...base, outbox: { send: (message) => devOutbox.send(message) } };
  return ({ plugin, builtIn }) => (builtIn && plugin.name === 'Default' ? forDefault : base);
}
