import { acme } from './otpServer.js';

/** The e2e tenant plus an `auditor` client, as bootstrap config. */
export const acmeWithAuditor = {
  bootstrap: {
    tenants: [
      {
        ...acme,
        applications: [
          ...acme.applications,
          { name: 'Acme audit', client_id: 'acme-audit', client_secret: 'acme-audit-secret', role: 'auditor' },
        ],
      },
    ],
  },
};
