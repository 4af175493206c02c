import type { SmsProviderPlugin } from '@otpledger/plugin-kit';
import { compileSchema } from '../validation/compileSchema.js';

export interface LoadedPlugin {
  plugin: SmsProviderPlugin;
  /** Where it came from: `built-in plugins/sms-default`, a path, or a package name. */
  source: string;
  /** One of the server's own providers under `plugins/`. */
  builtIn: boolean;
  /** The plugin's settings checked against its own schema, defaults applied; throws `SchemaValidationError`. */
  parseConfig(value: unknown): unknown;
}

export interface PluginFailure {
  source: string;
  reason: string;
}

/** The SMS provider plugins this server knows, by name (what tenants put in `provider`). */
export class SmsPluginRegistry {
  private readonly byName = new Map<string, LoadedPlugin>();
  readonly failures: PluginFailure[] = [];

  /** Returns false (and registers nothing) when the name is taken. */
  add(plugin: SmsProviderPlugin, source: string, { builtIn = false } = {}): boolean {
    if (this.byName.has(plugin.name)) return false;
    this.byName.set(plugin.name, { plugin, source, builtIn, parseConfig: compileSchema(plugin.configSchema) });
    return true;
  }

  get(name: string): LoadedPlugin | undefined {
    return this.byName.get(name);
  }

  list(): LoadedPlugin[] {
    return [...this.byName.values()];
  }
}
