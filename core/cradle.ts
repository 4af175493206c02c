import type Koa from 'koa';
import type { Clock } from './clock.js';
import type { Config } from './config/configSchema.js';
import type { Secrets } from './config/secrets.js';
import type { EventStore } from './eventStore/types.js';
import type { AppState } from './http/types.js';
import type { Ids } from './ids.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics/serverMetrics.js';
import type { ApplicationRegistry } from './applications/applicationRegistry.js';
import type { PasswordlessLogin } from './auth0/passwordlessLogin.js';
import type { SmsConnections } from './auth0/smsConnections.js';
import type { UserBlocks } from './auth0/userBlocks.js';
import type { AuthorizationCodes } from './oidc/authorizationCodes.js';
import type { TokenIntrospection } from './oidc/tokenIntrospection.js';
import type { TokenService } from './oidc/tokenService.js';
import type { OtpService } from './otp/otpService.js';
import type { SmsProtectionPolicies } from './protection/smsProtectionPolicies.js';
import type { SmsScreening } from './protection/smsScreening.js';
import type { DevOutbox } from './sms/devOutbox.js';
import type { EgressGuard } from './sms/egressGuard.js';
import type { SmsPluginRegistry } from './sms/pluginRegistry.js';
import type { ProviderServicesFor } from './sms/providerServices.js';
import type { DispatchPolicy } from './sms/smsDispatcher.js';
import type { SmsSender } from './sms/smsSender.js';
import type { TenantSmsProviders } from './sms/tenantSmsProviders.js';
import type { UserDirectory } from './users/userDirectory.js';
import type { Verifications } from './twilioVerify/verifications.js';
import type { VerifyServices } from './twilioVerify/verifyServices.js';
import type { KeyStore } from './privacy/keyStore.js';
import type { DataSubjectRequests } from './privacy/dataSubjectRequests.js';
import type { PersonalDataSealer } from './privacy/personalDataSealer.js';
import type { SubjectKeys } from './privacy/subjectKeys.js';
import type { Projection } from '../projections/projection.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';
import type { ReadModelStore } from '../projections/readModelStore.js';

/**
 * Everything registered in the container (awilix PROXY mode: factories receive this object and
 * destructure what they need). Later modules add their registrations here and in `container.ts`.
 */
export interface Cradle {
  config: Config;
  logger: Logger;
  clock: Clock;
  ids: Ids;
  secrets: Secrets;
  /**
   * The event store: personal fields (`core/privacy/personalData.ts`) are sealed before every append and
   * opened on every read. What everything but the two below uses.
   */
  eventStore: EventStore;
  /** The adapter underneath, events exactly as stored (sealed): hash chain verification and projections. */
  storedEvents: EventStore;
  /** Per-subject data keys, outside the event log (`keyStore.url`). */
  keyStore: KeyStore;
  subjectKeys: SubjectKeys;
  /** Seals and opens personal fields (read models hold them sealed too). */
  personalData: PersonalDataSealer;
  /** Prometheus metrics; undefined when `metrics.enabled` is false. */
  metrics: ServerMetrics | undefined;
  /** Access export and erasure of a user (GDPR art. 15 and 17). */
  dataSubjectRequests: DataSubjectRequests;
  /** The public URL of this server: `config.oidc.issuer`, else the URL it listens on. */
  issuer: string;
  app: Koa<AppState>;

  // domain services
  applications: ApplicationRegistry;
  users: UserDirectory;
  otpService: OtpService;
  /** The SMS dispatcher: the tenant's provider, retries, fallbacks, delivery events. */
  smsSender: SmsSender;
  /** Retries and backoff of the dispatcher (tests inject one that does not sleep). */
  smsDispatchPolicy: DispatchPolicy;
  /** The development SMS outbox, where the Default provider writes (read over HTTP only when `dev.outbox`). */
  devOutbox: DevOutbox;
  /** SMS provider plugins: built-ins from `plugins/` and those named in config `plugins`. */
  smsPlugins: SmsPluginRegistry;
  /** The SSRF guard: checks provider addresses at configuration, before each send and on every connection. */
  egress: EgressGuard;
  /** What each provider gets from the server: logger, monotonic clock, the guarded egress; the outbox for the built-in Default only. */
  providerServices: ProviderServicesFor;
  /** Each tenant's SMS provider settings (`tenantsms-<tenantId>`). */
  tenantSmsProviders: TenantSmsProviders;
  tokens: TokenService;
  /** RFC 7662 for confidential clients; each introspection recorded. */
  tokenIntrospection: TokenIntrospection;
  authorizationCodes: AuthorizationCodes;
  /** The Auth0 dialect: each tenant's passwordless `sms` connection, and its start/token flow. */
  smsConnections: SmsConnections;
  passwordlessLogin: PasswordlessLogin;
  userBlocks: UserBlocks;
  /** The Twilio Verify dialect: each tenant's Verify Services, and verifications over the OTP domain. */
  verifyServices: VerifyServices;
  verifications: Verifications;
  /** Each tenant's SMS protection policy (`tenantsms-<tenantId>`). */
  smsProtectionPolicies: SmsProtectionPolicies;
  /** Screening of every send outside the phone's stream: destination rules, address, tenant and range limits. */
  smsScreening: SmsScreening;

  // read side: local read models (`<dataDir>/readmodels.db`) fed by the projection runner
  readModels: ReadModelStore;
  projections: Projection[];
  projectionRunner: ProjectionRunner;
}
