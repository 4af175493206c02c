import type { SmsProtectionPolicy } from '../protection/smsProtectionPolicy.js';

/** The provider a tenant sends with until it configures one. */
export const DEFAULT_PROVIDER = 'Default';

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

/**
 * The tenant's passwordless SMS connection as Auth0's Management API sets it (`PATCH /api/v2/connections/:id`):
 * everything but the provider, which stays in `ProviderConfigured`, so the Mosaic API and Auth0's read one source.
 */
export interface PasswordlessConnectionConfiguredData {
  tenantId: string;
  /** What the SMS says, with `@@password@@` for the code (`syntax` says which macros apply). */
  template: string;
  syntax: 'md_with_macros' | 'liquid';
  /** Code length in digits, and how many seconds a code lives. */
  totp: { time_step: number; length: number };
  brute_force_protection: boolean;
  disable_signup: boolean;
  /** Kept for providers other than sms_gateway (whose own settings hold it), so the connection reads back as written. */
  forward_req_info: boolean;
  /** Applications that may use the connection; empty: none (as in Auth0). */
  enabled_clients: string[];
  is_domain_connection: boolean;
  configuredAt: string;
}

/** The tenant's SMS protection policy (`PUT /admin/v1/sms-protection`), defaults filled in: what was in force. */
export interface SmsProtectionConfiguredData {
  tenantId: string;
  policy: SmsProtectionPolicy;
  configuredAt: string;
}

export type TenantSmsEvent =
  | { type: 'ProviderConfigured'; data: ProviderConfiguredData }
  | { type: 'ProviderValidationFailed'; data: ProviderValidationFailedData }
  | { type: 'PasswordlessConnectionConfigured'; data: PasswordlessConnectionConfiguredData }
  | { type: 'SmsProtectionConfigured'; data: SmsProtectionConfiguredData };

/** The one place that names a tenant's SMS provider stream. */
export const tenantSmsStreamId = (tenantId: string) => `tenantsms-${tenantId}`;
