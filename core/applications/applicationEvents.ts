/** Events of an application's stream (`clientStreamId`). Secrets appear only as keyed hashes. */
export type ApplicationRole = 'app' | 'management' | 'auditor';

export interface OtpSettings {
  code_length: number;
  expires_in_minutes: number;
  max_failed_attempts: number;
  lockout_minutes: number;
}

/** How a client authenticates at the token endpoint (RFC 7591 §2). `none`: a public client, which has no secret. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
export const tokenEndpointAuthMethods: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];

/** What signs the application's id_tokens (OpenID Connect Registration §2). */
export type IdTokenSigningAlg = 'ES256' | 'RS256';

export interface ApplicationSettings {
  name: string;
  role: ApplicationRole;
  redirect_uris: string[];
  public_signup: boolean;
  otp: OtpSettings;
  /**
   * Absent: confidential (`client_secret_basic` or `client_secret_post`, both accepted). `none`: a public client
   * (a mobile or browser app that cannot keep a secret), identified by its client_id alone; always `role: app`.
   */
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  /** Absent: ES256 on `/oidc/token` and the Mosaic routes, RS256 on the Auth0 dialect (as Auth0 signs). */
  id_token_signed_response_alg?: IdTokenSigningAlg;
}

/** A public client authenticates with its client_id only: it has no secret to present. */
export const isPublicClient = (settings: Pick<ApplicationSettings, 'token_endpoint_auth_method'>): boolean =>
  settings.token_endpoint_auth_method === 'none';

export type ApplicationEvent =
  /** `secretHash` is absent for a public client. */
  | { type: 'ApplicationRegistered'; data: ApplicationSettings & { tenantId: string; clientId: string; secretHash?: string } }
  | { type: 'ApplicationUpdated'; data: Partial<ApplicationSettings> }
  | { type: 'ClientSecretRotated'; data: { secretHash: string } };

export const defaultOtpSettings: OtpSettings = { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 };

/**
 * The one owner of application stream names. Client ids are unique across the server's tenants (one stream per id):
 * a clash is answered "client_id is not available", whichever tenant holds it.
 */
export const clientStreamId = (clientId: string) => `client-${clientId}`;
export const tenantStreamId = (tenantId: string) => `tenant-${tenantId}`;

/** The tenant's stream (`tenantStreamId`). */
export type TenantEvent = { type: 'TenantCreated'; data: { tenantId: string; name: string } };

/** Client secrets are hashed in this domain of `keyedHash`. */
export const CLIENT_SECRET_DOMAIN = 'client-secret';
