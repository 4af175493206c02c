/** One provider with its settings as stored: the fields the plugin names in `secretFields` are sealed. */
export interface StoredProviderSettings {
  provider: string;
  settings: Record<string, unknown>;
}

export interface ProviderConfiguredData extends StoredProviderSettings {
  tenantId: string;
  /** Tried in order when the provider before fails with `timeout` or `unavailable`. */
  fallback: StoredProviderSettings[];
  configuredAt: string;
}

export interface ProviderValidationFailedData {
  tenantId: string;
  provider: string;
  /** The kit code (`invalid_config`, `auth_failed`, `unavailable`, ...). */
  code: string;
  message: string;
  failedAt: string;
}

export type TenantSmsEvent =
  | { type: 'ProviderConfigured'; data: ProviderConfiguredData }
  | { type: 'ProviderValidationFailed'; data: ProviderValidationFailedData };

/** The one place that names a tenant's SMS provider stream. */
export const tenantSmsStreamId = (tenantId: string) => `tenantsms-${tenantId}`;
