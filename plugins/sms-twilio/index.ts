import { defineSmsProvider } from '@otpledger/plugin-kit';
import { twilioConfigSchema } from './configSchema.js';
import { createTwilioProvider } from './twilioProvider.js';

/**
 * Twilio Programmable Messaging, through the official `twilio` SDK.
 *
 * @example
 * // PUT /cis/v1/tenantsmsproviders
 * { "provider": "Twilio",
 *   "twilio": { "account_sid": "AC…", "auth_token": "…", "messaging_service_sid": "MG…" } }
 */
export default defineSmsProvider({
  name: 'Twilio',
  version: '1.0.0',
  settingsKey: 'twilio',
  configSchema: twilioConfigSchema,
  secretFields: ['/auth_token'],
  create: createTwilioProvider,
});
