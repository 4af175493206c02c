import { redirectUriProblems } from '../applications/redirectUris.js';
import type { Config } from './configSchema.js';

/**
 * What the schema does not say about bootstrap applications: a public client (`token_endpoint_auth_method: "none"`)
 * has no secret and is an `app`, a confidential one has a secret; redirect URIs follow `redirectUris.ts`.
 * Each problem starts with its JSON path, like the schema's.
 */
export function bootstrapProblems(config: Config): string[] {
  const problems: string[] = [];
  (config.bootstrap.tenants ?? []).forEach((tenant, t) =>
    (tenant.applications ?? []).forEach((app, a) => {
      const path = `/bootstrap/tenants/${t}/applications/${a}`;
      if (app.token_endpoint_auth_method === 'none') {
        if (app.client_secret !== undefined)
          problems.push(`${path}/client_secret must not be set: a public client (token_endpoint_auth_method "none") has no secret`);
        if ((app.role ?? 'app') !== 'app') problems.push(`${path}/role must be "app" for a public client`);
      } else if (app.client_secret === undefined) {
        problems.push(`${path}/client_secret is required (or token_endpoint_auth_method "none" for a public client)`);
      }
      problems.push(...redirectUriProblems(app.redirect_uris ?? [], `${path}/redirect_uris`));
    }),
  );
  return problems;
}
