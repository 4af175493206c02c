import twilio from 'twilio';
import {
  withDeadline,
  type ProviderEgress,
  type ProviderServices,
  type SendContext,
  type SendResult,
  type SmsMessage,
  type SmsProvider,
} from '@otpledger/plugin-kit';
import type { TwilioConfig } from './configSchema.js';
import { toSmsProviderError } from './twilioErrors.js';

type TwilioClient = ReturnType<typeof twilio>;

/**
 * Sends through Twilio Programmable Messaging (`POST /2010-04-01/Accounts/{sid}/Messages.json`) with the
 * official SDK. The SDK's own 429 retries stay off: the dispatcher owns retries and fallbacks. Its HTTP client
 * connects through the server's guarded agents (SSRF).
 */
export function createTwilioProvider(config: TwilioConfig, { egress }: Pick<ProviderServices, 'egress'>): SmsProvider {
  const clientFor = memoizeByTimeout((timeoutMs) => createClient(config, timeoutMs, egress));

  return {
    async send(message: SmsMessage, context: SendContext): Promise<SendResult> {
      const client = clientFor(context.timeoutMs);
      // A caller-chosen sender id (Mosaic `sender_id`) wins. With a Messaging Service and no sender, Twilio
      // picks one from the service's pool.
      const from = message.senderId ?? config.from;
      const created = await call(context, () =>
        client.messages.create({
          to: message.to,
          body: message.body,
          ...(from ? { from } : {}),
          ...(config.messaging_service_sid ? { messagingServiceSid: config.messaging_service_sid } : {}),
        }),
      );
      const segments = Number.parseInt(String(created.numSegments), 10);
      return { providerMessageId: created.sid, ...(Number.isFinite(segments) ? { segments } : {}) };
    },

    /** Registration check: fetching the account proves the SID and token without sending anything. */
    async validate(context: SendContext): Promise<void> {
      const client = clientFor(context.timeoutMs);
      await call(context, () => client.api.v2010.accounts(config.account_sid).fetch());
    },
  };
}

function createClient(config: TwilioConfig, timeoutMs: number, egress: ProviderEgress): TwilioClient {
  const httpClient = new twilio.RequestClient({ timeout: timeoutMs, autoRetry: false });
  httpClient.axios.defaults.httpAgent = egress.agent.http;
  httpClient.axios.defaults.httpsAgent = egress.agent.https;
  const client = twilio(config.account_sid, config.auth_token, { httpClient });
  if (config.api_base_url) {
    client.api.baseUrl = config.api_base_url;
    // Edge/region rewrite the host name (api.sydney.au1.twilio.com); they make no sense for another host.
    client.edge = undefined;
    client.region = undefined;
  }
  return client;
}

/**
 * Runs one SDK call within the context's deadline. The SDK takes no AbortSignal, so the kit's
 * `withDeadline` races it; the SDK's own timeout (set to the same value) ends the request itself.
 */
async function call<T>(context: SendContext, operation: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(context, 'Twilio', operation);
  } catch (error) {
    throw toSmsProviderError(error);
  }
}

/** The SDK fixes its timeout per client; tenants normally use one timeout, so keep the last client. */
function memoizeByTimeout(create: (timeoutMs: number) => TwilioClient): (timeoutMs: number) => TwilioClient {
  let last: { timeoutMs: number; client: TwilioClient } | undefined;
  return (timeoutMs) => {
    if (last?.timeoutMs !== timeoutMs) last = { timeoutMs, client: create(timeoutMs) };
    return last.client;
  };
}
