import { getAtPointer, mapAtPointer } from '@otpledger/plugin-kit';
import type { SecretBox } from '../crypto/secretBox.js';

/**
 * Secret settings of a provider (the plugin's `secretFields`) on their way into and out of events.
 * Each sealed value is bound to its tenant, provider and field, so it cannot be replayed elsewhere.
 */
export class ProviderSecrets {
  constructor(private readonly box: SecretBox) {}

  seal(tenantId: string, provider: string, secretFields: readonly string[], settings: Record<string, unknown>): Record<string, unknown> {
    return this.map(secretFields, settings, (value, pointer) =>
      typeof value === 'string' ? this.box.seal(value, context(tenantId, provider, pointer)) : value,
    );
  }

  open(tenantId: string, provider: string, secretFields: readonly string[], settings: Record<string, unknown>): Record<string, unknown> {
    return this.map(secretFields, settings, (value, pointer) =>
      typeof value === 'string' ? this.box.open(value, context(tenantId, provider, pointer)) : value,
    );
  }

  /** Plain settings with each secret shown as `****` plus its last 4 characters (none when it is short). */
  static mask(secretFields: readonly string[], settings: Record<string, unknown>): Record<string, unknown> {
    let masked = settings;
    for (const pointer of secretFields) {
      masked = mapAtPointer(masked, pointer, (value) => (typeof value === 'string' ? maskValue(value) : value));
    }
    return masked;
  }

  private map(secretFields: readonly string[], settings: Record<string, unknown>, each: (value: unknown, pointer: string) => unknown) {
    let result = settings;
    for (const pointer of secretFields) {
      if (getAtPointer(result, pointer) !== undefined) result = mapAtPointer(result, pointer, (value) => each(value, pointer));
    }
    return result;
  }
}

function context(tenantId: string, provider: string, pointer: string): string {
  return `tenantsms/${tenantId}/${provider}${pointer}`;
}

function maskValue(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '****';
}
