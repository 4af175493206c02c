/**
 * The otpledger SMS provider kit: the one module a provider plugin imports.
 *
 * A plugin is a module whose default export is the value returned by {@link defineSmsProvider}. The server
 * validates each tenant's settings against the plugin's `configSchema`, encrypts the fields named in
 * `secretFields` before they are stored, and calls `create(config)` to get an {@link SmsProvider}. Failures
 * are reported by throwing {@link SmsProviderError} with one of the stable codes; the server decides what
 * to retry, when to fall back to another provider, and what the HTTP caller sees.
 *
 * Import it by its package name, `@otpledger/plugin-kit` (see docs/writing-a-provider-plugin.md).
 *
 * @example
 * import { defineSmsProvider, SmsProviderError } from '@otpledger/plugin-kit';
 *
 * export default defineSmsProvider({
 *   name: 'AcmeSms',
 *   version: '1.0.0',
 *   settingsKey: 'acme_sms',
 *   configSchema: {
 *     type: 'object',
 *     required: ['url', 'token'],
 *     additionalProperties: false,
 *     properties: { url: { type: 'string', format: 'uri' }, token: { type: 'string', minLength: 1 } },
 *   },
 *   secretFields: ['/token'],
 *   // config is typed from configSchema: { url: string; token: string }
 *   create: (config) => ({
 *     async send(message, context) {
 *       const res = await fetch(config.url, { method: 'POST', body: JSON.stringify(message), signal: context.signal });
 *       if (!res.ok) throw new SmsProviderError('rejected', `gateway answered ${res.status}`, { httpStatus: res.status });
 *       return { providerMessageId: res.headers.get('x-message-id') ?? undefined };
 *     },
 *   }),
 * });
 */

import type { ProviderEgress } from './egress.js';

/**
 * Every {@link SmsProviderErrorCode}, for validation and exhaustive tables.
 *
 * @example
 * if (!SMS_PROVIDER_ERROR_CODES.includes(code)) throw new Error(`unknown code ${code}`);
 */
export const SMS_PROVIDER_ERROR_CODES = [
  'invalid_config',
  'invalid_recipient',
  'auth_failed',
  'rate_limited',
  'timeout',
  'rejected',
  'unavailable',
] as const;

/**
 * Why a send or a validation failed, in words the server acts on (retry, fall back, answer the caller).
 *
 * @example
 * const code: SmsProviderErrorCode = status === 429 ? 'rate_limited' : 'rejected';
 */
export type SmsProviderErrorCode = (typeof SMS_PROVIDER_ERROR_CODES)[number];

/** Marks kit errors across copies of the kit (a plugin package may bundle its own), where `instanceof` alone fails. */
const BRAND = Symbol.for('otpledger.kit.SmsProviderError');

const TRANSIENT: ReadonlySet<SmsProviderErrorCode> = new Set(['timeout', 'unavailable', 'rate_limited']);

/**
 * What an {@link SmsProviderError} may carry besides its code and message.
 *
 * @example
 * const options: SmsProviderErrorOptions = { httpStatus: 400, providerCode: 21211, cause: error };
 */
export interface SmsProviderErrorOptions {
  /** The HTTP status the provider answered, when there was one. */
  httpStatus?: number;
  /** The provider's own error code (Twilio `21211`, SFMC `30003`, ...). */
  providerCode?: string | number;
  cause?: unknown;
}

/**
 * The one error a provider throws. `message` must never contain a secret or the SMS body: it is logged and
 * may be shown to the API caller.
 *
 * @example
 * throw new SmsProviderError('auth_failed', 'gateway refused the API key', { httpStatus: 401 });
 */
export class SmsProviderError extends Error {
  override readonly name = 'SmsProviderError';
  readonly [BRAND] = true;
  readonly httpStatus?: number;
  readonly providerCode?: string | number;

  constructor(
    readonly code: SmsProviderErrorCode,
    message: string,
    options: SmsProviderErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.httpStatus = options.httpStatus;
    this.providerCode = options.providerCode;
  }

  /** `error instanceof SmsProviderError` holds for errors from any copy of the kit. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  /** True when trying again later may succeed: `timeout`, `unavailable`, `rate_limited`. */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

/**
 * True for an {@link SmsProviderError} from any copy of the kit (same as `instanceof`).
 *
 * @example
 * catch (error) { if (isSmsProviderError(error) && error.transient) retryLater(); else throw error; }
 */
export function isSmsProviderError(error: unknown): error is SmsProviderError {
  return error instanceof SmsProviderError;
}

/**
 * One SMS. `to` is E.164 (`+14155550100`); `body` holds the passcode in clear: never log or store it.
 *
 * @example
 * const message: SmsMessage = { to: '+14155550100', body: 'Your Acme code is 482913', senderId: 'Acme' };
 */
export interface SmsMessage {
  to: string;
  body: string;
  senderId?: string;
}

/**
 * What the server tells a provider about one send: the tenant, the deadline, and the end user's request.
 *
 * @example
 * async send(message, context) {
 *   const res = await fetch(url, { method: 'POST', body: JSON.stringify(message), signal: context.signal });
 *   return {};
 * }
 */
export interface SendContext {
  tenantId: string;
  /** Give up after this long and throw `SmsProviderError('timeout')`. `signal` aborts at the same moment. */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * The HTTP request that asked for this SMS, whichever API it came through: the caller's address (after the
   * server's trusted proxies) and user agent. Absent for SMS the server sends on its own. A provider may forward
   * it to its gateway when its settings say so (Auth0's `forward_req_info`); never log or store it.
   */
  request?: { ip?: string; userAgent?: string };
}

/**
 * What a provider learned from a successful send; both fields are recorded in the `SmsSent` event.
 *
 * @example
 * return { providerMessageId: answer.sid, segments: Number(answer.num_segments) } satisfies SendResult;
 */
export interface SendResult {
  providerMessageId?: string;
  segments?: number;
}

/**
 * A provider built by a plugin's `create` for one tenant's settings.
 *
 * @example
 * const provider: SmsProvider = {
 *   async send(message, context) { return { providerMessageId: await post(message, context.signal) }; },
 *   async validate(context) { await ping(context.signal); },
 * };
 */
export interface SmsProvider {
  send(message: SmsMessage, context: SendContext): Promise<SendResult>;
  /** Optional registration check (a challenge, a token request); throws `SmsProviderError` when it fails. */
  validate?(context: SendContext): Promise<void>;
  /**
   * Optional, for providers with a limit of their own (a rate cap): account for an SMS that will not be sent
   * exactly as `send` would (take the same token, throw the same `SmsProviderError('rate_limited')` when there
   * is none) and send nothing. The server calls it instead of `send` when it dispatches a decoy (for an
   * identifier that matches no user, or a send held back silently), so the limit answers those like real ones.
   */
  reserve?(context: SendContext): void | Promise<void>;
}

/**
 * A pino-compatible logger. Never log the message body or a secret.
 *
 * @example
 * services.logger.warn({ tenantId: context.tenantId, status: res.status }, 'Acme SMS answered slowly');
 */
export interface ProviderLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * What the server lends a provider in `create(config, services)`.
 *
 * @example
 * create: (config, { logger, now }) => {
 *   const startedAt = now();
 *   return { send: async () => { logger.debug({ uptimeMs: now() - startedAt }, 'sending'); return {}; } };
 * },
 */
export interface ProviderServices {
  logger: ProviderLogger;
  /** Milliseconds on a monotonic clock; use it (not `Date.now`) for rate limits so tests control time. */
  now(): number;
  /** The agents (and lookup) every outbound connection must use: checked against the server's address policy. */
  egress: ProviderEgress;
}

export {
  KIT_VERSION,
  defineSmsProvider,
  type ConfigOf,
  type ConfigSchema,
  type JsonSchema,
  type SmsProviderDefinition,
  type SmsProviderPlugin,
} from './defineSmsProvider.js';
export { withDeadline } from './deadline.js';
export { EGRESS_REFUSED, egressRefusal, type ProviderEgress } from './egress.js';
export { codeForHttpStatus, transportFailure } from './httpFailures.js';
export { getAtPointer, mapAtPointer, pointerSegments, schemaAtPointer } from './jsonPointer.js';
export { headerValueText, messageText, oneLineText } from './textFields.js';
