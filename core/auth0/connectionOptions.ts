import type { FromSchema } from 'json-schema-to-ts';
import { compileSchema } from '../validation/compileSchema.js';
import { SchemaValidationError } from '../validation/schemaValidationError.js';
import { messageText, oneLineText } from '../validation/textFields.js';

/** The code's placeholder in an Auth0 SMS template. */
export const PASSWORD_PLACEHOLDER = '@@password@@';

/**
 * The `options` of Auth0's `sms` connection as `PATCH /api/v2/connections/:id` takes them (seed "Set Up Custom
 * SMS Gateway for Passwordless Connections"), with Auth0's limits. Unknown options are refused by name rather
 * than silently dropped. `strategy` is accepted because Auth0's own example sends it inside `options`.
 * `nullable` (ajv's keyword; the types below do not show the null) because Auth0's GET shows
 * `"messaging_service_sid": null` and a client may send back what it read.
 */
const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    strategy: { type: 'string', enum: ['sms'] },
    name: { type: 'string', enum: ['sms'] },
    provider: { type: 'string', enum: ['sms_gateway', 'twilio'] },
    gateway_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
    gateway_authentication: {
      type: 'object',
      nullable: true,
      required: ['method', 'subject', 'audience', 'secret'],
      additionalProperties: false,
      properties: {
        method: { type: 'string', enum: ['bearer'] },
        subject: { type: 'string', minLength: 1, maxLength: 64 },
        audience: { type: 'string', minLength: 1, maxLength: 128 },
        secret: { type: 'string', minLength: 1, maxLength: 5120 },
        secret_base64_encoded: { type: 'boolean' },
      },
    },
    from: { type: 'string', nullable: true, minLength: 1, maxLength: 64, ...oneLineText },
    twilio_sid: { type: 'string', minLength: 1, maxLength: 64 },
    twilio_token: { type: 'string', minLength: 1, maxLength: 256 },
    messaging_service_sid: { type: 'string', nullable: true, minLength: 1, maxLength: 64 },
    template: { type: 'string', minLength: 1, maxLength: 1600, ...messageText },
    syntax: { type: 'string', enum: ['md_with_macros', 'liquid'] },
    totp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        time_step: { type: 'integer', minimum: 1, maximum: 86_400 },
        length: { type: 'integer', minimum: 4, maximum: 10 },
      },
    },
    brute_force_protection: { type: 'boolean' },
    disable_signup: { type: 'boolean' },
    /** Auth0's example writes `"true"`: the strings are accepted and become booleans. */
    forward_req_info: { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] },
  },
} as const;

export const patchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    options: optionsSchema,
    enabled_clients: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 64 }, uniqueItems: true },
    is_domain_connection: { type: 'boolean' },
  },
} as const;

type RawPatch = FromSchema<typeof patchSchema>;
export type SmsConnectionOptions = Omit<NonNullable<RawPatch['options']>, 'forward_req_info'> & { forward_req_info?: boolean };
export type SmsConnectionPatch = Omit<RawPatch, 'options'> & { options?: SmsConnectionOptions };

const parseRaw = compileSchema<RawPatch>(patchSchema);

/** A PATCH body checked as Auth0 checks it; `SchemaValidationError` names every bad field (`/options/totp/length ...`). */
export function parseConnectionPatch(body: unknown): SmsConnectionPatch {
  const raw = parseRaw(body ?? {});
  if (!raw.options) return raw as SmsConnectionPatch;
  const { forward_req_info: forward, ...options } = raw.options;
  if (options.template !== undefined && !options.template.includes(PASSWORD_PLACEHOLDER)) {
    throw new SchemaValidationError([`/options/template must contain ${PASSWORD_PLACEHOLDER}`]);
  }
  if (options.provider === 'sms_gateway' && options.twilio_sid !== undefined) {
    throw new SchemaValidationError([
      '/options/twilio_sid is not allowed with provider "sms_gateway" (remove twilio_sid and twilio_token)',
    ]);
  }
  return { ...raw, options: { ...options, ...(forward !== undefined && { forward_req_info: forward === true || forward === 'true' }) } };
}
