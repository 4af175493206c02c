import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ProviderServices, SmsProvider } from './index.js';

/**
 * The version of this copy of the kit (semver, the `version` of its package.json). `defineSmsProvider`
 * stamps it on every plugin as `kitVersion`; the server compares the range a plugin declares against its own.
 *
 * @example
 * import { KIT_VERSION } from '@otpledger/plugin-kit';
 * console.log(`built against @otpledger/plugin-kit ${KIT_VERSION}`);
 */
export const KIT_VERSION = '1.1.0';

/**
 * A JSON Schema object, as a plugin's `configSchema` is seen once loaded.
 *
 * @example
 * const schema: JsonSchema = { type: 'object', properties: { url: { type: 'string' } } };
 */
export type JsonSchema = Record<string, unknown>;

/**
 * A settings schema a config type can be inferred from: a JSON Schema object literal (draft 2020-12, the
 * keywords ajv understands). Write it inline in `defineSmsProvider`, or declare it `as const` elsewhere.
 *
 * @example
 * const acmeSchema = { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } as const satisfies ConfigSchema;
 */
export type ConfigSchema = Exclude<JSONSchema, boolean>;

/**
 * The settings type `create` receives for a schema: inferred with json-schema-to-ts, so no interface is
 * written by hand. Properties with a `default` are present (the server applies defaults before `create`).
 *
 * @example
 * type AcmeConfig = ConfigOf<typeof acmeSchema>; // { token: string }
 */
export type ConfigOf<Schema extends ConfigSchema> = FromSchema<Schema>;

/**
 * What a plugin author writes; `defineSmsProvider` turns it into a {@link SmsProviderPlugin}.
 *
 * @example
 * const definition: SmsProviderDefinition<typeof acmeSchema> = {
 *   name: 'AcmeSms', version: '1.0.0', configSchema: acmeSchema, secretFields: ['/token'],
 *   create: (config) => ({ send: (message, context) => postToAcme(config.token, message, context.signal) }),
 * };
 */
export interface SmsProviderDefinition<Schema extends ConfigSchema, Config = ConfigOf<Schema>> {
  /** Unique provider name, also what tenants put in `provider` (`"CustomGateway"`, `"AcmeSms"`). */
  name: string;
  /** The plugin's own version (semver), shown in logs. */
  version: string;
  /**
   * The `@otpledger/plugin-kit` versions this plugin works with, as a semver range (`"^1.2.0"`). Usually
   * left out: the server reads the range from the plugin package's `peerDependencies` (or `dependencies`),
   * and falls back to `^<the kit version it was built with>`.
   */
  kit?: string;
  /** The key of the settings object in `PUT /cis/v1/tenantsmsproviders`; defaults to snake_case of `name`. */
  settingsKey?: string;
  /** JSON Schema of the settings object; validated (with defaults applied) before `create`. */
  configSchema: Schema;
  /** JSON pointers (`/api_key`) of secret settings: encrypted at rest, masked when read back. */
  secretFields: readonly string[];
  /** Per-send timeout for this provider; the server's default (10 s) when not set. */
  defaultTimeoutMs?: number;
  /** Builds a provider from validated settings (secrets already decrypted). Called once per settings revision. */
  create(config: NoInfer<Config>, services: ProviderServices): SmsProvider;
}

/**
 * A plugin as the server loads it: the definition with every default resolved and the kit version stamped.
 *
 * @example
 * import plugin from '@acme/otpledger-sms-acme';
 * const typed: SmsProviderPlugin = plugin;
 * console.log(typed.name, typed.settingsKey, typed.kitVersion);
 */
export interface SmsProviderPlugin<Config = unknown> {
  readonly name: string;
  readonly version: string;
  /** The range declared in the definition, when there is one. */
  readonly kit?: string;
  /** The version of the kit copy `defineSmsProvider` came from. */
  readonly kitVersion: string;
  readonly settingsKey: string;
  readonly configSchema: JsonSchema;
  readonly secretFields: readonly string[];
  readonly defaultTimeoutMs?: number;
  create(config: Config, services: ProviderServices): SmsProvider;
}

/**
 * Declares a provider plugin; export the result as the module's default export. The type of `config` in
 * `create` is inferred from `configSchema`.
 *
 * @example
 * export default defineSmsProvider({
 *   name: 'Echo',
 *   version: '1.0.0',
 *   configSchema: { type: 'object', required: ['prefix'], properties: { prefix: { type: 'string' } } },
 *   secretFields: [],
 *   create: (config) => ({ send: async (message) => ({ providerMessageId: `${config.prefix}-${message.to}` }) }),
 * });
 */
export function defineSmsProvider<const Schema extends ConfigSchema>(
  definition: SmsProviderDefinition<Schema>,
): SmsProviderPlugin<ConfigOf<Schema>>;
export function defineSmsProvider(definition: SmsProviderDefinition<ConfigSchema, unknown>): SmsProviderPlugin {
  return Object.freeze({
    ...definition,
    configSchema: definition.configSchema as JsonSchema,
    kitVersion: KIT_VERSION,
    settingsKey: definition.settingsKey ?? toSnakeCase(definition.name),
  });
}

function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}
