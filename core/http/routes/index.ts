import type { RouteFactory } from '../types.js';
import { adminApplicationRoutes } from './adminApplications.js';
import { adminAuditRoutes } from './adminAudit.js';
import { adminReadModelRoutes } from './adminReadModels.js';
import { adminSmsProtectionRoutes } from './adminSmsProtection.js';
import { adminStateRoutes } from './adminState.js';
import { adminUserDataRoutes } from './adminUserData.js';
import { auth0ConnectionRoutes } from './auth0Connections.js';
import { auth0PasswordlessRoutes } from './auth0Passwordless.js';
import { auth0TokenRoutes } from './auth0Token.js';
import { auth0UserBlockRoutes } from './auth0UserBlocks.js';
import { cisOtpLoginRoutes } from './cisOtpLogin.js';
import { cisPhoneVerificationRoutes } from './cisPhoneVerification.js';
import { cisSmsRedirectLoginRoutes } from './cisSmsRedirectLogin.js';
import { cisTenantSmsProviderRoutes } from './cisTenantSmsProviders.js';
import { cisUserRoutes } from './cisUsers.js';
import { devOutboxRoutes } from './devOutbox.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { oidcRoutes } from './oidc.js';
import { twilioServiceRoutes } from './twilio/twilioServices.js';
import { twilioVerificationRoutes } from './twilio/twilioVerifications.js';

/** Every route module of the server, mounted in this order. Add an API by adding one line. */
export const routes: RouteFactory[] = [
  healthRoutes,
  metricsRoutes,
  oidcRoutes,
  cisUserRoutes,
  cisOtpLoginRoutes,
  cisSmsRedirectLoginRoutes,
  cisPhoneVerificationRoutes,
  cisTenantSmsProviderRoutes,
  auth0ConnectionRoutes,
  auth0PasswordlessRoutes,
  auth0TokenRoutes,
  auth0UserBlockRoutes,
  twilioServiceRoutes,
  twilioVerificationRoutes,
  adminApplicationRoutes,
  adminAuditRoutes,
  adminStateRoutes,
  adminReadModelRoutes,
  adminSmsProtectionRoutes,
  adminUserDataRoutes,
  devOutboxRoutes,
];
