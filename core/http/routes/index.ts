import type { RouteFactory } from '../types.js';
import { adminApplicationRoutes } from './admin/applications.js';
import { adminAuditRoutes } from './admin/audit.js';
import { adminReadModelRoutes } from './admin/readModels.js';
import { adminSmsProtectionRoutes } from './admin/smsProtection.js';
import { adminStateRoutes } from './admin/state.js';
import { adminUserDataRoutes } from './admin/userData.js';
import { auth0ConnectionRoutes } from './auth0/connections.js';
import { auth0PasswordlessRoutes } from './auth0/passwordless.js';
import { auth0TokenRoutes } from './auth0/token.js';
import { auth0UserBlockRoutes } from './auth0/userBlocks.js';
import { cisOtpLoginRoutes } from './mosaic/otpLogin.js';
import { cisPhoneVerificationRoutes } from './mosaic/phoneVerification.js';
import { cisSmsRedirectLoginRoutes } from './mosaic/smsRedirectLogin.js';
import { cisTenantSmsProviderRoutes } from './mosaic/tenantSmsProviders.js';
import { cisUserRoutes } from './mosaic/users.js';
import { devOutboxRoutes } from './devOutbox.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { oidcRoutes } from './oauth/oidc.js';
import { twilioServiceRoutes } from './twilio/services.js';
import { twilioVerificationRoutes } from './twilio/verifications.js';

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
