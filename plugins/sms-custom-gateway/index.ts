import { randomBytes } from 'node:crypto';
import got from 'got';
import {
  codeForHttpStatus,
  defineSmsProvider,
  headerValueText,
  SmsProviderError,
  transportFailure,
  type ProviderEgress,
  type SendContext,
} from '@otpledger/plugin-kit';

const WHAT = 'the custom SMS gateway';

/**
 * Mosaic-style custom gateway (seed "Use custom SMS providers"): each SMS is a POST of
 * `{ phone_number, sender_id, message }` with `X-API-Key`; only a 2xx counts as delivered. Registration runs
 * the validation challenge: a GET on the same URI with a random `X-Verification-Key`, which the gateway must
 * echo back as `{ "key": <value> }`.
 */
export default defineSmsProvider({
  name: 'CustomGateway',
  version: '1.0.0',
  settingsKey: 'custom_gateway',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['uri', 'api_key'],
    properties: {
      uri: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
      /** Sent as the `X-API-Key` header: Node's HTTP client refuses a line break or a character above U+00FF there. */
      api_key: { type: 'string', minLength: 1, maxLength: 1000, ...headerValueText },
    },
  },
  secretFields: ['/api_key'],
  create: (config, { egress }) => ({
    async send(message, context) {
      const response = await call(context, () =>
        got.post(config.uri, {
          json: { phone_number: message.to, sender_id: message.senderId ?? '', message: message.body },
          headers: { 'X-API-Key': config.api_key },
          ...options(context, egress),
        }),
      );
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new SmsProviderError(codeForHttpStatus(response.statusCode), `${WHAT} answered ${response.statusCode}`, {
          httpStatus: response.statusCode,
        });
      }
      return {};
    },

    async validate(context) {
      const key = randomBytes(16).toString('base64url');
      const response = await call(context, () =>
        got.get(config.uri, {
          headers: {
            'X-API-Key': config.api_key,
            'X-Scheme': new URL(config.uri).protocol.slice(0, -1),
            'X-Verification-Key': key,
            Accept: 'application/json, text/plain, */*',
          },
          ...options(context, egress),
        }),
      );
      if (response.statusCode !== 200) {
        const code = response.statusCode === 401 || response.statusCode === 403 ? 'auth_failed' : 'invalid_config';
        throw new SmsProviderError(code, `validation challenge failed: ${WHAT} answered ${response.statusCode} to GET ${config.uri}`, {
          httpStatus: response.statusCode,
        });
      }
      if (echoedKey(response.body) !== key) {
        throw new SmsProviderError(
          'invalid_config',
          `validation challenge failed: ${WHAT} did not echo X-Verification-Key as {"key": <value>}`,
        );
      }
    },
  }),
});

/** Every request through the server's guarded agents (SSRF), no retries (the dispatcher owns them), no redirects. */
const options = (context: SendContext, egress: ProviderEgress) => ({
  agent: egress.agent,
  timeout: { request: context.timeoutMs },
  retry: { limit: 0 },
  throwHttpErrors: false,
  followRedirect: false,
  ...(context.signal && { signal: context.signal }),
});

async function call<T>(_context: SendContext, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw transportFailure(error, WHAT);
  }
}

function echoedKey(body: string): unknown {
  try {
    return (JSON.parse(body) as { key?: unknown }).key;
  } catch {
    return undefined;
  }
}
