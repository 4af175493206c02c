import type { BootstrapApplication, Config } from '../config/configSchema.js';
import type { Logger } from '../logger.js';
import { ApplicationError } from './applicationDecider.js';
import { defaultOtpSettings, type ApplicationRole, type ApplicationSettings } from './applicationEvents.js';
import type { ApplicationRegistry } from './applicationRegistry.js';

/**
 * Applies `bootstrap.tenants` from the config at start, idempotently: a tenant or application
 * that already looks like the config records nothing; a changed one records what changed
 * (a changed secret as `ClientSecretRotated`, hashed). Logs each client id, never a secret.
 * An application whose client_id another tenant holds is skipped with an error in the log that names
 * neither the other tenant nor anything of it; the server starts without that application.
 */
export async function applyBootstrap({
  config,
  applications,
  logger,
}: {
  config: Config;
  applications: ApplicationRegistry;
  logger: Logger;
}): Promise<void> {
  const metadata = { actor: 'bootstrap' };
  for (const tenant of config.bootstrap.tenants ?? []) {
    await applications.ensureTenant(tenant.id, tenant.name, { ...metadata, tenantId: tenant.id });
    for (const app of tenant.applications ?? []) {
      const role = app.role ?? 'app';
      try {
        await applications.ensure(tenant.id, app.client_id, app.client_secret, settingsOf(app), { ...metadata, tenantId: tenant.id });
      } catch (error) {
        if (!(error instanceof ApplicationError && error.reason === 'client_id_taken')) throw error;
        logger.error(
          { tenant: tenant.id, client_id: app.client_id },
          'bootstrap application skipped: client_id is not available (client ids are unique across all tenants of this server); choose another',
        );
        continue;
      }
      logger.info(
        { tenant: tenant.id, client_id: app.client_id, role, token_endpoint_auth_method: settingsOf(app).token_endpoint_auth_method },
        app.client_secret === undefined
          ? 'bootstrap application ready (a public client: no secret)'
          : 'bootstrap application ready (its client secret is the one in your config)',
      );
    }
  }
}

function settingsOf(app: BootstrapApplication): ApplicationSettings {
  return {
    name: app.name,
    role: (app.role ?? 'app') as ApplicationRole,
    redirect_uris: [...(app.redirect_uris ?? [])],
    public_signup: app.public_signup ?? false,
    otp: { ...defaultOtpSettings, ...app.otp },
    token_endpoint_auth_method: app.token_endpoint_auth_method ?? 'client_secret_basic',
    ...(app.id_token_signed_response_alg && { id_token_signed_response_alg: app.id_token_signed_response_alg }),
  };
}
