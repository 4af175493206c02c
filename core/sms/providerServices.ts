import type { ProviderServices } from '@otpledger/plugin-kit';
import type { Logger } from '../logger.js';
import type { DevOutbox } from './devOutbox.js';

/**
 * What the server lends every provider it creates. Rate limits run on the monotonic clock, not the
 * domain clock: a test that freezes the domain clock must not freeze the Default provider's bucket.
 */
export function providerServices({ logger, devOutbox }: { logger: Logger; devOutbox: Pick<DevOutbox, 'send'> }): ProviderServices {
  return {
    logger: logger.child({ component: 'sms-provider' }),
    now: () => performance.now(),
    outbox: { send: (message) => devOutbox.send(message) },
  };
}
