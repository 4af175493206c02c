import type { FromSchema } from 'json-schema-to-ts';
import { compileFormSchema } from '../../../validation/compileSchema.js';
import { invalidParameter, TwilioError } from './twilioErrors.js';

/**
 * Parameters of `POST …/Verifications` (twilio.com/docs/verify/api/verification) that otpledger applies.
 * Twilio ignores parameters it does not know, so no `additionalProperties: false`.
 */
export const startSchema = {
  type: 'object',
  required: ['To', 'Channel'],
  properties: {
    To: { type: 'string', minLength: 1, maxLength: 32 },
    Channel: { type: 'string', minLength: 1, maxLength: 16 },
    Locale: { type: 'string', maxLength: 16 },
    /** Android SMS Retriever: 11 characters of base64 (developers.google.com/identity/sms-retriever/verify). */
    AppHash: { type: 'string', pattern: '^[A-Za-z0-9+/]{11}$' },
    RiskCheck: { type: 'string', enum: ['enable', 'disable'] },
    EnableSnaClientToken: { type: 'boolean' },
  },
} as const;

export const checkSchema = {
  type: 'object',
  properties: {
    /** twilio.com/docs/api/errors/60200: a Code that is not 4-10 characters long is an invalid parameter. */
    Code: { type: 'string', minLength: 4, maxLength: 10 },
    To: { type: 'string', minLength: 1, maxLength: 32 },
    VerificationSid: { type: 'string', pattern: '^VE[0-9a-fA-F]{32}$' },
  },
  required: ['Code'],
} as const;

export const updateSchema = {
  type: 'object',
  required: ['Status'],
  properties: { Status: { type: 'string', enum: ['canceled', 'approved'] } },
} as const;

export type StartParams = FromSchema<typeof startSchema>;
export type CheckParams = FromSchema<typeof checkSchema>;
export const parseUpdate = compileFormSchema<FromSchema<typeof updateSchema>>(updateSchema);
const parseStartSchema = compileFormSchema<StartParams>(startSchema);
const parseCheckSchema = compileFormSchema<CheckParams>(checkSchema);

/** Twilio's parameters for what otpledger does not offer, refused by name rather than silently ignored. */
const unsupportedStart: Record<string, string> = {
  CustomMessage: 'custom messages are not offered',
  SendDigits: 'only the sms channel is offered',
  Amount: 'PSD2 transaction parameters are not offered',
  Payee: 'PSD2 transaction parameters are not offered',
  RateLimits: "programmable rate limits are not offered; the tenant's SMS protection policy applies",
  ChannelConfiguration: 'only the sms channel is offered',
  TemplateSid: 'message templates are not offered',
  TemplateCustomSubstitutions: 'message templates are not offered',
  DeviceIp: 'device addresses are not used',
  Tags: 'tags are not recorded',
};
const unsupportedCheck: Record<string, string> = {
  Amount: 'PSD2 transaction parameters are not offered',
  Payee: 'PSD2 transaction parameters are not offered',
  SnaClientToken: 'only the sms channel is offered',
};

function refuse(body: Record<string, unknown>, unsupported: Record<string, string>): void {
  for (const name of Object.keys(body)) {
    const reason = unsupported[name];
    if (reason) throw invalidParameter(name, `${reason} by this server`);
  }
}

/**
 * A start's parameters: the SMS channel, English (otpledger's one text), Fraud Guard's `RiskCheck` on. A custom
 * code or friendly name is a feature the Service does not have: 403 60204 (twilio.com/docs/api/errors/60204).
 */
export function parseStart(body: unknown): StartParams {
  const params = parseStartSchema(body ?? {});
  if (params.CustomCode !== undefined || params.CustomFriendlyName !== undefined) {
    const name = params.CustomCode !== undefined ? 'CustomCode' : 'CustomFriendlyName';
    throw new TwilioError(403, 60204, `Service does not support this feature: ${name}`);
  }
  refuse(params as Record<string, unknown>, unsupportedStart);
  if (params.Channel !== 'sms') throw invalidParameter('Channel', 'only sms is offered by this server');
  if (params.Locale !== undefined && !/^en(-[A-Za-z]{2})?$/.test(params.Locale))
    throw invalidParameter('Locale', 'only en is offered by this server');
  if (params.RiskCheck === 'disable') throw invalidParameter('RiskCheck', "the tenant's SMS protection cannot be turned off per request");
  if (params.EnableSnaClientToken) throw invalidParameter('EnableSnaClientToken', 'only the sms channel is offered by this server');
  return params;
}

/** A check's parameters: `Code` and `To` or `VerificationSid` (neither: 400 60221, twilio.com/docs/api/errors/60221). */
export function parseCheck(body: unknown): CheckParams {
  const params = parseCheckSchema(body ?? {});
  refuse(params as Record<string, unknown>, unsupportedCheck);
  if (params.To === undefined && params.VerificationSid === undefined)
    throw new TwilioError(400, 60221, 'No target verification specified');
  return params;
}
