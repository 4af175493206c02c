import { randomUUID } from 'node:crypto';
import {
  withDeadline,
  type ProviderEgress,
  type SendContext,
  type SendResult,
  type SmsMessage,
  type SmsProvider,
} from '@otpledger/plugin-kit';
import type { SfmcConfig } from './configSchema.js';
import { hasRecipientError, sendError } from './sfmcErrors.js';
import { postJson, WHAT, type SfmcResponse } from './sfmcHttp.js';
import { createTokenSource, type SfmcToken } from './sfmcTokens.js';

/**
 * Sends through the Transactional Messaging API:
 * `POST {rest}messaging/v1/sms/messages/{messageKey}` with the send definition `message_id` and our text as
 * `content.message`. The messageKey is unique per send and becomes the provider message id (it is the key
 * to ask Marketing Cloud for the delivery status). MobileConnect has no per-message sender: the sender is
 * part of the send definition, so `senderId` is ignored.
 *
 * `now` is a millisecond clock for the token cache (the server's monotonic clock); `egress` the server's guarded agents.
 */
export function createSfmcProvider(config: SfmcConfig, now: () => number, egress: ProviderEgress): SmsProvider {
  const tokens = createTokenSource(config, now, egress);

  function post(token: SfmcToken, message: SmsMessage, messageKey: string, signal: AbortSignal): Promise<SfmcResponse> {
    const url = new URL(`messaging/v1/sms/messages/${encodeURIComponent(messageKey)}`, token.restBaseUrl).href;
    const body = {
      definitionKey: config.message_id,
      // MobileConnect numbers carry the country code without the `+`.
      recipient: { contactKey: message.to, to: message.to.replace(/^\+/, '') },
      content: { message: message.body },
    };
    return postJson(url, body, signal, egress, token.value);
  }

  async function send(message: SmsMessage, context: SendContext, signal: AbortSignal): Promise<SendResult> {
    const messageKey = `otpledger-${randomUUID()}`;
    let token = await tokens.get(context.timeoutMs);
    let response = await post(token, message, messageKey, signal);
    if (response.status === 401) {
      // The token died before its announced expiry (revoked, rotated): fetch a new one, try exactly once more.
      tokens.invalidate(token);
      token = await tokens.get(context.timeoutMs);
      response = await post(token, message, messageKey, signal);
    }
    if (response.status < 200 || response.status >= 300 || hasRecipientError(response)) throw sendError(response);
    return { providerMessageId: messageKey };
  }

  return {
    // One deadline covers the token request, the send and the one retry after a 401.
    send: (message, context) => withDeadline(context, WHAT, (signal) => send(message, context, signal)),

    /** Registration check: a token request proves subdomain, client id, secret and package type. */
    async validate(context) {
      await withDeadline(context, WHAT, () => tokens.get(context.timeoutMs));
    },
  };
}
