import type { FromSchema } from 'json-schema-to-ts';
import { oneLineText } from '../validation/textFields.js';

/**
 * The one description of otpledger's configuration: ajv validates against it and applies its defaults,
 * and `Config` is derived from it, so the type and the check can never disagree.
 * Every object refuses unknown keys; a section left out entirely gets its defaults (`default: {}`).
 */

const otpPolicySchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    code_length: { type: 'integer', minimum: 4, maximum: 10, default: 6 },
    expires_in_minutes: { type: 'integer', minimum: 1, maximum: 1440, default: 5 },
    max_failed_attempts: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    lockout_minutes: { type: 'integer', minimum: 1, maximum: 10080, default: 15 },
  },
} as const;

/** An application as declared under `bootstrap` (public interface: keep it working as written). */
const bootstrapApplicationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'client_id'],
  properties: {
    name: { type: 'string', minLength: 1, ...oneLineText },
    client_id: { type: 'string', minLength: 1, maxLength: 200 },
    /** Required unless `token_endpoint_auth_method` is `none` (a public client has none); checked in `applyBootstrap`. */
    client_secret: { type: 'string', minLength: 1 },
    role: { type: 'string', enum: ['app', 'management', 'auditor'], default: 'app' },
    /** https:, or http: for loopback hosts, no fragment (`redirectUris.ts`). */
    redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' }, default: [] },
    public_signup: { type: 'boolean', default: false },
    otp: otpPolicySchema,
    token_endpoint_auth_method: { type: 'string', enum: ['client_secret_basic', 'client_secret_post', 'none'] },
    id_token_signed_response_alg: { type: 'string', enum: ['ES256', 'RS256'] },
  },
} as const;

const bootstrapTenantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
    name: { type: 'string', minLength: 1, ...oneLineText },
    applications: { type: 'array', items: bootstrapApplicationSchema, default: [] },
  },
} as const;

/** Any case, as the adapters read them (`createEventStore.ts`): ajv patterns take no flags. */
const anyCase = (word: string) => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
const eventStoreUrlPattern = `^\\s*(${anyCase('sqlite')}:.+|${anyCase('postgres')}(${anyCase('ql')})?://.+|(${['kurrentdb', 'kurrent', 'kdb', 'esdb'].map(anyCase).join('|')})(\\+${anyCase('discover')})?://.+)$`;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['eventStore', 'keyStore'],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        /** 0 picks a free port (tests). */
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        bodyLimitBytes: { type: 'integer', minimum: 1, default: 102400 },
        /** How long `close()` waits for in-flight requests before cutting connections. */
        shutdownTimeoutMs: { type: 'integer', minimum: 0, default: 10000 },
        /**
         * Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed (the caller's address keys
         * per-address SMS limits and brute-force protection); none by default.
         */
        trustedProxies: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 2, maxLength: 50 }, default: [] },
      },
    },
    dataDir: { type: 'string', minLength: 1, default: './data' },
    eventStore: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        /** `sqlite:<file>`, `postgres://...`, `kurrentdb://...` or `esdb://...`; derived from `dataDir` when not set. */
        url: { type: 'string', pattern: eventStoreUrlPattern },
      },
    },
    keyStore: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        /**
         * Where per-subject data keys live (erasure destroys them): `sqlite:<file>` or `postgres://...`;
         * derived when not set: a PostgreSQL event store's own URL, `subject-keys.db` beside a SQLite event
         * store, else in `dataDir`. Shared by every process.
         */
        url: { type: 'string', pattern: `^(sqlite:.+|\\s*${anyCase('postgres')}(${anyCase('ql')})?://.+)$` },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: {
          type: 'string',
          enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
          default: 'info',
        },
        /** Human-readable lines (pino-pretty) instead of JSON; when not set, pretty only if stdout is a terminal. */
        pretty: { type: 'boolean' },
      },
    },
    secrets: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /**
         * A secret not given in the environment is generated into `<dataDir>/secrets/` (a development key).
         * `false` (production) makes a missing secret stop the start instead, naming each one.
         */
        developmentKeys: { type: 'boolean', default: false },
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Serve Prometheus metrics at `GET /metrics`. */
        enabled: { type: 'boolean', default: false },
        /**
         * They are served on a listener of their own, on this port and `host`: their counters move with each request
         * (an unknown identifier's among them), so on a public API they would tell anyone whether a number is a user's.
         * 0 picks a free port.
         */
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 9464 },
        /** The metrics listener's address: loopback unless told (a container sets `0.0.0.0` and keeps the port off the public network). */
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        /** Serve `/metrics` on the API's listener instead (no listener of its own): only for an API nobody but your monitoring reaches. */
        onApiListener: { type: 'boolean', default: false },
      },
    },
    oidc: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** The public URL of this server; when not set, the URL it listens on. Set it in production. */
        issuer: { type: 'string', format: 'uri' },
        accessTokenTtlSeconds: { type: 'integer', minimum: 1, default: 3600 },
        idTokenTtlSeconds: { type: 'integer', minimum: 1, default: 3600 },
        refreshTokenTtlSeconds: { type: 'integer', minimum: 1, default: 2592000 },
        authorizationCodeTtlSeconds: { type: 'integer', minimum: 1, default: 60 },
      },
    },
    dev: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Serves `GET /dev/sms-outbox`: every SMS text readable over HTTP. Never in production. */
        outbox: { type: 'boolean', default: false },
      },
    },
    bootstrap: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        tenants: { type: 'array', items: bootstrapTenantSchema, default: [] },
      },
    },
    sms: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /**
         * Let tenants point providers at loopback, private and this host's addresses (tests, demos, on-premise
         * gateways). Link-local (cloud metadata), multicast and reserved ranges stay refused; see docs/security.md.
         */
        allowPrivateNetworks: { type: 'boolean', default: false },
        /**
         * The SMS protection policy of every tenant that has not set its own, and what a tenant's policy leaves out
         * (`PUT /admin/v1/sms-protection`); otpledger's defaults fill in the rest. See docs/sms-protection.md.
         */
        protectionDefaults: { type: 'object', default: {} },
      },
    },
    /** Module specifiers of external plugins, loaded at start. */
    plugins: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
  },
} as const;

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated, defaulted, frozen configuration. */
export type Config = DeepReadonly<FromSchema<typeof configSchema>>;
export type BootstrapTenant = Config['bootstrap']['tenants'][number];
export type BootstrapApplication = BootstrapTenant['applications'][number];
