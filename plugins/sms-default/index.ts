import { defineSmsProvider, SmsProviderError, withDeadline, type ProviderServices, type SmsMessage } from '@otpledger/plugin-kit';
import { TokenBuckets } from './tokenBucket.js';

/** The server lends the outbox to this built-in provider only; no plugin written against the kit sees it. */
export interface DefaultProviderServices extends ProviderServices {
  outbox: { send(message: SmsMessage & { tenantId: string }): Promise<void> };
}

/**
 * "Default" (seed: Mosaic's built-in service, for evaluation only): no phone is reached. With `dev.outbox` on,
 * messages land in the local outbox (`<dataDir>/sms-outbox.ndjson` and `GET /dev/sms-outbox`), the only
 * provider whose messages can be read back; with it off (production) the text is written nowhere and a send
 * is only its `SmsSent` event. Rate-capped per tenant, warns loudly once per tenant.
 */
export default defineSmsProvider({
  name: 'Default',
  version: '1.0.0',
  settingsKey: 'default',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      rate_per_second: { type: 'number', exclusiveMinimum: 0, maximum: 10000, default: 10 },
      burst: { type: 'integer', minimum: 1, maximum: 10000, default: 20 },
    },
  },
  secretFields: [],
  create(config, services) {
    const { outbox, logger, now } = services as Partial<DefaultProviderServices> & ProviderServices;
    if (!outbox)
      throw new SmsProviderError('invalid_config', "the Default provider runs only as the server's built-in (it needs the dev outbox)");
    const buckets = new TokenBuckets(config.rate_per_second, config.burst, now);
    const warned = new Set<string>();
    const spendToken = (tenantId: string) => {
      if (!buckets.take(tenantId)) {
        throw new SmsProviderError(
          'rate_limited',
          `the Default provider sends at most ${config.rate_per_second} SMS per second per tenant`,
        );
      }
    };
    return {
      async send(message, context) {
        if (!warned.has(context.tenantId)) {
          warned.add(context.tenantId);
          logger.warn(
            { tenantId: context.tenantId },
            'SMS PROVIDER "Default" IS FOR EVALUATION ONLY: no phone receives its messages (they go to the dev outbox when dev.outbox is on, nowhere otherwise). Configure a provider with PUT /cis/v1/tenantsmsproviders.',
          );
        }
        spendToken(context.tenantId);
        try {
          const sms = {
            tenantId: context.tenantId,
            to: message.to,
            body: message.body,
            ...(message.senderId && { senderId: message.senderId }),
          };
          await withDeadline(context, 'the local SMS outbox', () => outbox.send(sms));
        } catch (error) {
          if (error instanceof SmsProviderError) throw error;
          throw new SmsProviderError('unavailable', 'the local SMS outbox could not be written', { cause: error });
        }
        return {};
      },
      // a decoy spends the tenant's token like a send, so the cap answers unknown identifiers alike
      reserve: (context) => spendToken(context.tenantId),
    };
  },
});
