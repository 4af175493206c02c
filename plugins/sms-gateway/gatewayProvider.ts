import got, { RequestError } from 'got';
import {
  codeForHttpStatus,
  egressRefusal,
  SmsProviderError,
  type ProviderEgress,
  type SendContext,
  type SendResult,
  type SmsMessage,
  type SmsProvider,
} from '@otpledger/plugin-kit';
import type { SmsGatewayConfig } from './configSchema.js';
import { gatewayToken, signingKey } from './gatewayToken.js';

/**
 * Auth0's custom SMS gateway contract: POST `{ recipient, body, sender }` (and `req` when
 * `forward_req_info`), only the HTTP status counts and only 200 is success. The error messages are
 * Auth0's words (the core shows them as `sms_provider_error` descriptions).
 *
 * `egress` is the server's guarded agents (SSRF); `clock` is wall-clock epoch milliseconds, for the token's `iat`/`exp`.
 */
export function createSmsGatewayProvider(config: SmsGatewayConfig, egress: ProviderEgress, clock: () => number = Date.now): SmsProvider {
  const auth = config.gateway_authentication;
  // Decoded once; a bad base64url secret fails every send with invalid_config rather than the loader.
  let key: Uint8Array | SmsProviderError | undefined;
  if (auth) {
    try {
      key = signingKey(auth);
    } catch (error) {
      key = error as SmsProviderError;
    }
  }

  async function headers(): Promise<Record<string, string>> {
    if (!auth || !key) return {};
    if (key instanceof SmsProviderError) throw key;
    return { authorization: `Bearer ${await gatewayToken(auth, key, clock())}` };
  }

  return {
    async send(message: SmsMessage, context: SendContext): Promise<SendResult> {
      const json = {
        recipient: message.to,
        body: message.body,
        sender: message.senderId ?? config.from,
        ...(config.forward_req_info && context.request ? { req: requestInfo(context.request) } : {}),
      };
      const status = await post(config.gateway_url, json, await headers(), context, egress);
      if (status === 200) return {};
      if (status === 401) {
        throw new SmsProviderError('auth_failed', 'Authentication failed while calling the SMS gateway: 401', { httpStatus: 401 });
      }
      throw new SmsProviderError(codeForHttpStatus(status), `Unexpected response while calling the SMS gateway: ${status}`, {
        httpStatus: status,
      });
    },
  };
}

function requestInfo(info: NonNullable<SendContext['request']>): Record<string, string> {
  return { ...(info.ip && { ip: info.ip }), ...(info.userAgent && { 'user-agent': info.userAgent }) };
}

/** Posts and returns the status; the body and its type are ignored, as Auth0 ignores them. */
async function post(
  url: string,
  json: object,
  headers: Record<string, string>,
  context: SendContext,
  egress: ProviderEgress,
): Promise<number> {
  try {
    const response = await got.post(url, {
      json,
      headers,
      agent: egress.agent,
      timeout: { request: context.timeoutMs },
      ...(context.signal && { signal: context.signal }),
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
    });
    return response.statusCode;
  } catch (error) {
    const timedOut = error instanceof RequestError && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // got copies the cause's code; an AbortSignal.timeout() reason is a DOMException with a numeric one.
    const code = error instanceof RequestError && typeof error.code === 'string' ? error.code : timedOut ? 'ETIMEDOUT' : 'ERR_UNKNOWN';
    if (timedOut) throw new SmsProviderError('timeout', `Timeout while calling the SMS gateway: ${code}`, { cause: error });
    const refusal = egressRefusal(error);
    if (refusal) throw new SmsProviderError('invalid_config', `Error while calling the SMS gateway: ${refusal.message}`, { cause: error });
    throw new SmsProviderError('unavailable', `Error while calling the SMS gateway: ${code}`, { cause: error });
  }
}
