import type { FromSchema } from 'json-schema-to-ts';
import type { VerifyServiceSettings } from '../../../twilioVerify/verifyServiceEvents.js';
import { compileFormSchema } from '../../../validation/compileSchema.js';
import { invalidParameter } from './twilioErrors.js';

/**
 * The Service parameters otpledger applies (twilio.com/docs/verify/api/service), and its own three under
 * `Otpledger.`: what Twilio's support sets per Service on request (code validity 2 minutes to 24 hours, per
 * twilio.com/docs/verify/api/rate-limits-and-timeouts), checks and sends per verification.
 * Twilio ignores parameters it does not know, so no `additionalProperties: false`.
 */
const serviceProperties = {
  FriendlyName: { type: 'string', minLength: 1, maxLength: 30, pattern: '^[\\p{L}\\p{N} _-]+$' },
  CodeLength: { type: 'integer', minimum: 4, maximum: 10 },
  DoNotShareWarningEnabled: { type: 'boolean' },
  'Otpledger.CodeValiditySeconds': { type: 'integer', minimum: 120, maximum: 86_400 },
  'Otpledger.MaxCheckAttempts': { type: 'integer', minimum: 1, maximum: 100 },
  'Otpledger.MaxSendAttempts': { type: 'integer', minimum: 1, maximum: 100 },
} as const;

export const createServiceSchema = { type: 'object', required: ['FriendlyName'], properties: serviceProperties } as const;
export const updateServiceSchema = { type: 'object', properties: serviceProperties } as const;

type ServiceParams = FromSchema<typeof updateServiceSchema>;
const parseCreate = compileFormSchema<ServiceParams & { FriendlyName: string }>(createServiceSchema);
const parseUpdate = compileFormSchema<ServiceParams>(updateServiceSchema);

/**
 * Twilio's Service parameters for features otpledger does not have: a boolean may be `false` (what it means
 * when left out), anything else is refused by name rather than silently ignored. Each reason reads on with
 * " by this server".
 */
const unsupported: Record<string, string> = {
  LookupEnabled: 'carrier lookups are not offered',
  SkipSmsToLandlines: 'carrier lookups are not offered',
  DtmfInputRequired: 'only the sms channel is offered',
  TtsName: 'only the sms channel is offered',
  Psd2Enabled: 'PSD2 transaction parameters are not offered',
  CustomCodeEnabled: 'codes are always generated',
  DefaultTemplateSid: 'message templates are not offered',
  VerifyEventSubscriptionEnabled: 'event streams are not offered',
};
const unsupportedPrefixes = ['Push.', 'Totp.', 'Whatsapp.', 'Passkeys.'];

function refuseUnsupported(body: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(body)) {
    const reason =
      unsupported[name] ?? (unsupportedPrefixes.some((prefix) => name.startsWith(prefix)) ? 'only the sms channel is offered' : undefined);
    if (reason && value !== 'false') throw invalidParameter(name, `${reason} by this server`);
  }
}

/** Twilio forbids more than 4 digits in a friendly name (it would pass for a code or a number). */
function checkFriendlyName(name: string | undefined): void {
  if (name !== undefined && (name.match(/\p{N}/gu)?.length ?? 0) > 4) throw invalidParameter('FriendlyName', 'at most 4 digits');
}

function settingsOf(params: ServiceParams): Partial<VerifyServiceSettings> {
  const settings: Partial<VerifyServiceSettings> = {
    friendlyName: params.FriendlyName,
    codeLength: params.CodeLength,
    doNotShareWarningEnabled: params.DoNotShareWarningEnabled,
    codeValiditySeconds: params['Otpledger.CodeValiditySeconds'],
    maxCheckAttempts: params['Otpledger.MaxCheckAttempts'],
    maxSendAttempts: params['Otpledger.MaxSendAttempts'],
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

/** A create's parameters as settings (the ones not given are left to Twilio's defaults). */
export function createParams(body: unknown): Partial<VerifyServiceSettings> & { friendlyName: string } {
  const params = parseCreate(body ?? {});
  refuseUnsupported(params as Record<string, unknown>);
  checkFriendlyName(params.FriendlyName);
  return { ...settingsOf(params), friendlyName: params.FriendlyName };
}

/** An update's parameters as the settings it changes. */
export function updateParams(body: unknown): Partial<VerifyServiceSettings> {
  const params = parseUpdate(body ?? {});
  refuseUnsupported(params as Record<string, unknown>);
  checkFriendlyName(params.FriendlyName);
  return settingsOf(params);
}

/** Twilio's paging parameters (`PageToken` is accepted and not needed: pages are numbered). */
export const pageSchema = {
  type: 'object',
  properties: {
    PageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    Page: { type: 'integer', minimum: 0, default: 0 },
    PageToken: { type: 'string' },
  },
} as const;
