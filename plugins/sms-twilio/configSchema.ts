import type { FromSchema } from 'json-schema-to-ts';
import { oneLineText } from '@otpledger/plugin-kit';

/**
 * Tenant settings for Twilio, the three settings of the Mosaic admin portal ("Account SID", "Auth Token",
 * "Sender setting") in snake_case, the naming the seed uses for `custom_gateway: { uri, api_key }`. The
 * sender is either a phone number (`from`) or a Messaging Service (`messaging_service_sid`), never both:
 * with a Messaging Service, Twilio picks the sender from the service's pool.
 */
export const twilioConfigSchema = {
  type: 'object',
  required: ['account_sid', 'auth_token'],
  additionalProperties: false,
  properties: {
    account_sid: { type: 'string', pattern: '^AC[0-9a-fA-F]{32}$' },
    auth_token: { type: 'string', minLength: 1, maxLength: 256 },
    /** A Twilio number in E.164, a short code, or an alphanumeric sender id. */
    from: { type: 'string', minLength: 1, maxLength: 64, ...oneLineText },
    messaging_service_sid: { type: 'string', pattern: '^MG[0-9a-fA-F]{32}$' },
    /**
     * Overrides `https://api.twilio.com` (tests, private endpoints, a proxy). Leave unset in production.
     * When set, Twilio edge/region routing (`TWILIO_EDGE`, `TWILIO_REGION`) is switched off.
     */
    api_base_url: { type: 'string', format: 'uri', pattern: '^https?://' },
  },
  // Each branch repeats the property it requires: ajv's strict mode wants `required` names defined beside it.
  oneOf: [
    { properties: { from: true }, required: ['from'] },
    { properties: { messaging_service_sid: true }, required: ['messaging_service_sid'] },
  ],
} as const;

export type TwilioConfig = FromSchema<typeof twilioConfigSchema>;
