/** Events of an application's stream (`clientStreamId`). Secrets appear only as keyed hashes. */
export type ApplicationRole = 'app' | 'management' | 'auditor';

export interface OtpSettings {
  code_length: number;
  expires_in_minutes: number;
  max_failed_attempts: number;
  lockout_minutes: number;
}

export interface ApplicationSettings {
  name: string;
  role: ApplicationRole;
  redirect_uris: string[];
  public_signup: boolean;
  otp: OtpSettings;
}

export type ApplicationEvent =
  | { type: 'ApplicationRegistered'; data: ApplicationSettings & { tenantId: string; clientId: string; secretHash: string } }
  | { type: 'ApplicationUpdated'; data: Partial<ApplicationSettings> }
  | { type: 'ClientSecretRotated'; data: { secretHash: string } };

export const defaultOtpSettings: OtpSettings = { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 };

/** The one owner of application stream names; client ids are unique across tenants. */
export const clientStreamId = (clientId: string) => `client-${clientId}`;
export const tenantStreamId = (tenantId: string) => `tenant-${tenantId}`;

/** The tenant's stream (`tenantStreamId`). */
export type TenantEvent = { type: 'TenantCreated'; data: { tenantId: string; name: string } };

/** Client secrets are hashed in this domain of `keyedHash`. */
export const CLIENT_SECRET_DOMAIN = 'client-secret';
