import type { Database, Statement } from 'better-sqlite3';
import { applicationDecider, type Application } from '../core/applications/applicationDecider.js';
import type { ApplicationEvent } from '../core/applications/applicationEvents.js';
import type { Projection } from './projection.js';

/** An application's settings and OTP policy, as a query sees it: never its secret hash. */
export type ApplicationPolicy = Omit<Application, 'secretHash'> & { updatedAt: string };

/** Applications and their OTP policies per tenant, folded with the application decider's `evolve`. */
export const applicationPoliciesProjection: Projection<Extract<ApplicationEvent, { type: 'ApplicationRegistered' | 'ApplicationUpdated' }>> = {
  name: 'application_policies',
  version: 1,
  canHandle: ['ApplicationRegistered', 'ApplicationUpdated'],
  tables: ['application_policies'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS application_policies (
      client_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS application_policies_tenant ON application_policies (tenant_id);`);
  },
  writer(db) {
    const get: Statement<[string], { doc: string }> = db.prepare('SELECT doc FROM application_policies WHERE client_id = ?');
    const put = db.prepare(`INSERT OR REPLACE INTO application_policies VALUES (?, ?, ?, ?)`);
    return {
      apply(event) {
        const clientId = event.streamName.slice('client-'.length);
        const row = get.get(clientId);
        // the secret hash never reaches the read model: fold with a placeholder
        const before = row ? ({ ...(JSON.parse(row.doc) as ApplicationPolicy), secretHash: '' } as Application) : undefined;
        const after = applicationDecider.evolve(before, event);
        if (!after) return;
        const { secretHash: _secretHash, ...policy } = after;
        put.run(clientId, after.tenantId, JSON.stringify(policy), event.recordedAt.toISOString());
      },
    };
  },
};

export function getApplicationPolicy(db: Database, tenantId: string, clientId: string): ApplicationPolicy | undefined {
  const row = db.prepare('SELECT doc, updated_at FROM application_policies WHERE tenant_id = ? AND client_id = ?').get(tenantId, clientId) as { doc: string; updated_at: string } | undefined;
  return row && { ...(JSON.parse(row.doc) as Omit<ApplicationPolicy, 'updatedAt'>), updatedAt: row.updated_at };
}

export function listApplicationPolicies(db: Database, tenantId: string): ApplicationPolicy[] {
  const rows = db.prepare('SELECT doc, updated_at FROM application_policies WHERE tenant_id = ? ORDER BY client_id').all(tenantId) as { doc: string; updated_at: string }[];
  return rows.map((row) => ({ ...(JSON.parse(row.doc) as Omit<ApplicationPolicy, 'updatedAt'>), updatedAt: row.updated_at }));
}
