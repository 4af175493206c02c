import type { FromSchema } from 'json-schema-to-ts';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { deepFreeze } from '../config/deepFreeze.js';
import { deepMerge, isPlainObject, type PlainObject } from '../config/deepMerge.js';
import { compileSchema } from '../validation/compileSchema.js';
import { SchemaValidationError } from '../validation/schemaValidationError.js';

/** libphonenumber's number types, and `UNKNOWN` for a valid number whose type it cannot tell. */
const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'UNKNOWN',
] as const;

const countryList = { type: 'array', maxItems: 300, uniqueItems: true, items: { type: 'string', pattern: '^[A-Z]{2}$' } } as const;
const window = (fallback: number) => ({ type: 'integer', minimum: 1, maximum: 1440, default: fallback }) as const;

/**
 * A tenant's SMS protection policy as `PUT /admin/v1/sms-protection` takes it: every field optional, the
 * defaults below filled in. The same schema types the policy everywhere (`SmsProtectionPolicy`).
 */
export const smsProtectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** ISO 3166 alpha-2 codes: `allow` (empty: every country) or `deny`, not both. */
    countries: {
      type: 'object',
      additionalProperties: false,
      default: { allow: [] },
      properties: { allow: countryList, deny: countryList },
    },
    number_types: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        deny: { type: 'array', uniqueItems: true, items: { type: 'string', enum: NUMBER_TYPES }, default: ['PREMIUM_RATE', 'SHARED_COST'] },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        phone: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            cooldown_seconds: { type: 'integer', minimum: 0, maximum: 86_400, default: 30 },
            max_sends: { type: 'integer', minimum: 1, maximum: 100_000, default: 5 },
            window_minutes: window(60),
          },
        },
        ip: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: { max_sends: { type: 'integer', minimum: 1, maximum: 10_000_000, default: 50 }, window_minutes: window(60) },
        },
        tenant: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: { max_sends: { type: 'integer', minimum: 1, maximum: 1_000_000_000, default: 10_000 }, window_minutes: window(60) },
        },
      },
    },
    pumping_guard: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mode: { type: 'string', enum: ['enforce', 'monitor', 'off'], default: 'enforce' },
        /** A held-back send is answered exactly like a sent one. */
        silent: { type: 'boolean', default: true },
        /** Unverified sends a prefix may have in 24 hours before it is quarantined, at the least... */
        floor: { type: 'integer', minimum: 1, maximum: 100_000, default: 30 },
        /** ...or this many times its busiest day of verified codes in the last 14 days, when that is more. */
        ratio: { type: 'number', minimum: 0, maximum: 100, default: 0.5 },
      },
    },
  },
} as const;

type Raw = FromSchema<typeof smsProtectionSchema>;
type Filled<T> = {
  [K in keyof T]-?: T[K] extends object | undefined
    ? T[K] extends unknown[] | undefined
      ? NonNullable<T[K]>
      : Filled<NonNullable<T[K]>>
    : NonNullable<T[K]>;
};

/** The policy in force: every field present (defaults filled in); `countries` holds `allow` or `deny`. */
export type SmsProtectionPolicy = Omit<Filled<Raw>, 'countries'> & { countries: { allow: string[] } | { deny: string[] } };

/** The schema without its defaults: what a PUT body gave, before the defaults fill the rest. */
function withoutDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (!isPlainObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => key !== 'default')
      .map(([key, value]) => [key, withoutDefaults(value)]),
  );
}

const parseBody = compileSchema<Raw>(withoutDefaults(smsProtectionSchema) as typeof smsProtectionSchema);
const parseFull = compileSchema<Raw>(smsProtectionSchema);

/**
 * A PUT body as the policy it sets: checked (a 400 names each bad field), then laid over `defaults` (the
 * deployment's, `sms.protectionDefaults`): what the body leaves out is the default; `countries` is replaced as
 * a whole. `{}` is the defaults.
 */
export function parseSmsProtectionPolicy(body: unknown, defaults?: SmsProtectionPolicy): SmsProtectionPolicy {
  const given = parseBody(body ?? {}) as PlainObject;
  const base = (defaults ?? {}) as PlainObject;
  const merged = deepMerge(base, given);
  if (given.countries) merged.countries = given.countries;
  const raw = parseFull(merged);
  const countries = raw.countries ?? { allow: [] };
  const problems: string[] = [];
  if (countries.allow && countries.deny) problems.push('/countries has allow or deny, not both');
  for (const [list, codes] of Object.entries(countries)) {
    for (const [index, code] of (codes as string[]).entries()) {
      if (!isSupportedCountry(code))
        problems.push(`/countries/${list}/${index} "${code}" is not a country with phone numbers (ISO 3166 alpha-2)`);
    }
  }
  if (problems.length > 0) throw new SchemaValidationError(problems);
  return deepFreeze({
    ...raw,
    countries: countries.deny ? { deny: countries.deny } : { allow: countries.allow ?? [] },
  } as SmsProtectionPolicy);
}

/** otpledger's own defaults, before a deployment's `sms.protectionDefaults`. */
export const DEFAULT_SMS_PROTECTION: SmsProtectionPolicy = parseSmsProtectionPolicy({});
