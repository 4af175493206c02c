import { createHash } from 'node:crypto';
import type { PasswordlessConnectionConfiguredData } from '../sms/tenantSmsEvents.js';

/** What the connection's options are before anyone set them: Auth0's defaults for a new `sms` connection. */
export type ConnectionSettings = Omit<PasswordlessConnectionConfiguredData, 'tenantId' | 'configuredAt'>;

export const DEFAULT_CONNECTION: Readonly<ConnectionSettings> = Object.freeze({
  template: 'Your verification code is: @@password@@',
  syntax: 'md_with_macros',
  totp: { time_step: 300, length: 6 },
  brute_force_protection: true,
  disable_signup: false,
  forward_req_info: false,
  enabled_clients: [],
  is_domain_connection: false,
});

/** The settings in force: the last recorded ones, or the defaults. */
export function connectionSettings(recorded: PasswordlessConnectionConfiguredData | undefined): ConnectionSettings {
  if (!recorded) return DEFAULT_CONNECTION;
  const { tenantId: _tenant, configuredAt: _at, ...settings } = recorded;
  return settings;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The tenant's one `sms` connection id, `con_` and 16 characters as Auth0's: derived from the tenant, so it is
 * stable across restarts and stores without being recorded anywhere.
 */
export function connectionIdFor(tenantId: string): string {
  const digest = createHash('sha256').update(`auth0-sms-connection\0${tenantId}`).digest();
  let id = 'con_';
  for (let i = 0; i < 16; i++) id += ALPHABET[digest[i]! % ALPHABET.length];
  return id;
}
