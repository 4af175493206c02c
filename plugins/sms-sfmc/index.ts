import { defineSmsProvider } from '@otpledger/plugin-kit';
import { sfmcConfigSchema } from './configSchema.js';
import { createSfmcProvider } from './sfmcProvider.js';

/**
 * Salesforce Marketing Cloud (MobileConnect) through the Transactional Messaging API, with `got`.
 * Legacy installed packages (`package_type: "legacy"`) are end-of-life at Salesforce; they are supported
 * for accounts that still have one.
 *
 * @example
 * // PUT /cis/v1/tenantsmsproviders
 * { "provider": "SalesforceMarketingCloud",
 *   "salesforce_marketing_cloud": { "subdomain": "mc563885gzs27c5t9-63k636ttgm", "client_id": "…",
 *     "client_secret": "…", "message_id": "otp-verification", "package_type": "enhanced" } }
 */
export default defineSmsProvider({
  name: 'SalesforceMarketingCloud',
  version: '1.0.0',
  settingsKey: 'salesforce_marketing_cloud',
  configSchema: sfmcConfigSchema,
  secretFields: ['/client_secret'],
  create: (config, services) => createSfmcProvider(config, () => services.now(), services.egress),
});
