import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../core/eventStore/types.js';
import type { ProviderConfiguredData } from '../core/sms/tenantSmsEvents.js';
import type { Projection } from './projection.js';
import { tenantOf } from './streamNames.js';

export interface ProviderSettings {
  tenantId: string;
  provider: string;
  /** The event's data as recorded: secrets in it stay sealed (SecretBox), never decrypted here. */
  settings: Record<string, unknown>;
  configuredAt: string;
  configuredBy: string | undefined;
}

/** The provider name in a `ProviderConfigured` event (`unknown` if a stored event lacks it). */
export function providerNameOf(data: unknown): string {
  const name = (data as Partial<ProviderConfiguredData> | null | undefined)?.provider;
  return typeof name === 'string' ? name : 'unknown';
}

/** Each tenant's current SMS provider configuration (stream `tenantsms-<tenantId>`). */
export const providerSettingsProjection: Projection = {
  name: 'provider_settings',
  version: 1,
  canHandle: ['ProviderConfigured'],
  tables: ['provider_settings'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS provider_settings (
      tenant_id TEXT PRIMARY KEY, provider TEXT NOT NULL, settings TEXT NOT NULL, configured_at TEXT NOT NULL, configured_by TEXT)`);
  },
  writer(db) {
    const put = db.prepare('INSERT OR REPLACE INTO provider_settings VALUES (?, ?, ?, ?, ?)');
    return {
      apply(event: RecordedEvent) {
        const tenantId = tenantOf(event.streamName, 'tenantsms') ?? event.metadata.tenantId;
        if (!tenantId) return;
        put.run(tenantId, providerNameOf(event.data), JSON.stringify(event.data ?? {}), event.recordedAt.toISOString(), event.metadata.actor ?? null);
      },
    };
  },
};

export function getProviderSettings(db: Database, tenantId: string): ProviderSettings | undefined {
  const row = db.prepare('SELECT * FROM provider_settings WHERE tenant_id = ?').get(tenantId) as
    { tenant_id: string; provider: string; settings: string; configured_at: string; configured_by: string | null } | undefined;
  return row && {
    tenantId: row.tenant_id, provider: row.provider, settings: JSON.parse(row.settings) as Record<string, unknown>,
    configuredAt: row.configured_at, configuredBy: row.configured_by ?? undefined,
  };
}
