import type { Config } from '../config/configSchema.js';
import type { Logger } from '../logger.js';
import { defaultOtpSettings, type ApplicationRole } from './applicationEvents.js';
import type { ApplicationRegistry } from './applicationRegistry.js';

/**
 * Applies `bootstrap.tenants` from the config at start, idempotently: a tenant or application
 * that already looks like the config records nothing; a changed one records what changed
 * (a changed secret as `ClientSecretRotated`, hashed). Logs each client id, never a secret.
 */
export async function applyBootstrap({ config, applications, logger }: { config: Config; applications: ApplicationRegistry; logger: Logger }): Promise<void> {
  const metadata = { actor: 'bootstrap' };
  for (const tenant of config.bootstrap.tenants ?? []) {
    await applications.ensureTenant(tenant.id, tenant.name, { ...metadata, tenantId: tenant.id });
    for (const app of tenant.applications ?? []) {
      await applications.ensure(tenant.id, app.client_id, app.client_secret, {
        name: app.name,
        role: (app.role ?? 'app') as ApplicationRole,
        redirect_uris: [...(app.redirect_uris ?? [])],
        public_signup: app.public_signup ?? false,
        otp: { ...defaultOtpSettings, ...app.otp },
      }, { ...metadata, tenantId: tenant.id });
      logger.info({ tenant: tenant.id, client_id: app.client_id, role: app.role ?? 'app' },
        'bootstrap application ready (its client secret is the one in your config)');
    }
  }
}
