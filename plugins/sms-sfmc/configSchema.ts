import type { FromSchema } from 'json-schema-to-ts';

/**
 * Tenant settings for Salesforce Marketing Cloud, the Mosaic admin portal's settings ("Subdomain",
 * "Client ID", "Client Secret", "Message ID", "Package Type") in snake_case.
 *
 * `package_type`: `enhanced` (OAuth 2.0 client credentials on `/v2/token`, every account since August 2019)
 * or `legacy` (`/v1/requestToken`). Salesforce has ended support for legacy packages: they still work here,
 * but move to an enhanced package.
 */
export const sfmcConfigSchema = {
  type: 'object',
  required: ['subdomain', 'client_id', 'client_secret', 'message_id'],
  additionalProperties: false,
  properties: {
    /** The tenant-specific part of `https://{subdomain}.auth.marketingcloudapis.com`. */
    subdomain: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,62}$' },
    client_id: { type: 'string', minLength: 1, maxLength: 256 },
    client_secret: { type: 'string', minLength: 1, maxLength: 1024 },
    /** The MobileConnect send definition's `definitionKey`, e.g. `otp-verification`. */
    message_id: { type: 'string', minLength: 1, maxLength: 200 },
    package_type: { type: 'string', enum: ['enhanced', 'legacy'], default: 'enhanced' },
    /** Overrides `https://{subdomain}.auth.marketingcloudapis.com/` (tests, private endpoints). */
    auth_base_url: { type: 'string', format: 'uri', pattern: '^https?://' },
    /**
     * Overrides the REST base URL (tests, private endpoints). Otherwise: the token's `rest_instance_url`
     * (enhanced), or `https://{subdomain}.rest.marketingcloudapis.com/` (legacy, whose token has none).
     */
    rest_base_url: { type: 'string', format: 'uri', pattern: '^https?://' },
  },
} as const;

export type SfmcConfig = FromSchema<typeof sfmcConfigSchema>;
