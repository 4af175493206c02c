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
 *   create: (config: { url: string; token: string }) => ({
 *     async send(message, context) {
 *       const res = await fetch(config.url, { method: 'POST', body: JSON.stringify(message), signal: context.signal });
 *       if (!res.ok) throw new SmsProviderError('rejected', `gateway answered ${res.status}`, { httpStatus: res.status });
 *       return { providerMessageId: res.headers.get('x-message-id') ?? undefined };
 *     },
 *   }),
 * });
 */

/** The kit's contract version. A plugin built against another major contract is refused by the loader. */
export const KIT_VERSION = 1;

export const SMS_PROVIDER_ERROR_CODES = [
  'invalid_config',
  'invalid_recipient',
  'auth_failed',
  'rate_limited',
  'timeout',
  'rejected',
  'unavailable',
] as const;

/** Why a send or a validation failed, in words the server acts on (retry, fall back, answer the caller). */
export type SmsProviderErrorCode = (typeof SMS_PROVIDER_ERROR_CODES)[number];

/** Marks kit errors across copies of the kit (a plugin package may bundle its own), where `instanceof` alone fails. */
const BRAND = Symbol.for('otpledger.kit.SmsProviderError');

const TRANSIENT: ReadonlySet<SmsProviderErrorCode> = new Set(['timeout', 'unavailable', 'rate_limited']);

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

  constructor(readonly code: SmsProviderErrorCode, message: string, options: SmsProviderErrorOptions = {}) {
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

export function isSmsProviderError(error: unknown): error is SmsProviderError {
  return error instanceof SmsProviderError;
}

/** One SMS. `to` is E.164 (`+14155550100`); `body` holds the passcode in clear: never log or store it. */
export interface SmsMessage {
  to: string;
  body: string;
  senderId?: string;
}

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

export interface SendResult {
  providerMessageId?: string;
  segments?: number;
}

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

/** A JSON Schema object (draft 2019-09/2020-12 subset understood by ajv). */
export type JsonSchema = Record<string, unknown>;

export interface SmsProviderDefinition<Config> {
  /** Unique provider name, also what tenants put in `provider` (`"CustomGateway"`, `"AcmeSms"`). */
  name: string;
  /** The plugin's own version (semver), shown in logs. */
  version: string;
  /** The kit contract the plugin was written for; defaults to the kit it was built with. */
  kitVersion?: number;
  /** The key of the settings object in `PUT /cis/v1/tenantsmsproviders`; defaults to snake_case of `name`. */
  settingsKey?: string;
  /** JSON Schema of the settings object; validated (with defaults applied) before `create`. */
  configSchema: JsonSchema;
  /** JSON pointers (`/api_key`) of secret settings: encrypted at rest, masked when read back. */
  secretFields: string[];
  /** Per-send timeout for this provider; the server's default (10 s) when not set. */
  defaultTimeoutMs?: number;
  /** Builds a provider from validated settings (secrets already decrypted). Called once per settings revision. */
  create(config: Config, services: ProviderServices): SmsProvider;
}

/** A pino-compatible logger. Never log the message body or a secret. */
export interface ProviderLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** What the server lends a provider. */
export interface ProviderServices {
  logger: ProviderLogger;
  /** Milliseconds on a monotonic clock; use it (not `Date.now`) for rate limits so tests control time. */
  now(): number;
  /** The evaluation outbox (`GET /dev/sms-outbox`); only the built-in Default provider should write here. */
  outbox: { send(message: SmsMessage & { tenantId: string }): Promise<void> };
}

/** A definition as the loader sees it: every optional field resolved. */
export interface SmsProviderPlugin<Config = unknown> extends SmsProviderDefinition<Config> {
  kitVersion: number;
  settingsKey: string;
}

/**
 * Declares a provider plugin; export the result as the module's default export.
 *
 * @example
 * export default defineSmsProvider({ name: 'Echo', version: '1.0.0', configSchema: { type: 'object' },
 *   secretFields: [], create: () => ({ send: async () => ({}) }) });
 */
export function defineSmsProvider<Config>(definition: SmsProviderDefinition<Config>): SmsProviderPlugin<Config> {
  return Object.freeze({
    ...definition,
    kitVersion: definition.kitVersion ?? KIT_VERSION,
    settingsKey: definition.settingsKey ?? toSnakeCase(definition.name),
  });
}

function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

export { withDeadline } from './deadline.js';
export { codeForHttpStatus, transportFailure } from './httpFailures.js';
export { getAtPointer, mapAtPointer, pointerSegments, schemaAtPointer } from './jsonPointer.js';
export { compileConfigSchema, ConfigValidationError } from './configValidation.js';
