import { defineSmsProvider } from '@otpledger/plugin-kit';
import { smsGatewayConfigSchema } from './configSchema.js';
import { createSmsGatewayProvider } from './gatewayProvider.js';

/**
 * Auth0-style custom SMS gateway (`provider: "sms_gateway"`), optionally authenticated with an HS256 bearer
 * JWT. Auth0 gives the gateway 30 seconds; so do we unless the tenant sets a timeout.
 *
 * @example
 * // PUT /cis/v1/tenantsmsproviders
 * { "provider": "sms_gateway",
 *   "sms_gateway": { "gateway_url": "https://sms.example.com/send", "from": "+1 234 567",
 *     "forward_req_info": true,
 *     "gateway_authentication": { "method": "bearer", "subject": "urn:Auth0", "audience": "urn:MySmsGateway",
 *       "secret": "MySecretToSignTheToken", "secret_base64_encoded": false } } }
 */
export default defineSmsProvider({
  name: 'sms_gateway',
  version: '1.0.0',
  settingsKey: 'sms_gateway',
  configSchema: smsGatewayConfigSchema,
  secretFields: ['/gateway_authentication/secret'],
  defaultTimeoutMs: 30_000,
  create: (config, { egress }) => createSmsGatewayProvider(config, egress),
});
