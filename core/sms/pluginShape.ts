import { schemaAtPointer, type SmsProviderPlugin } from '@otpledger/plugin-kit';
import { compileSchema } from '../validation/compileSchema.js';

/** A module that is not a usable plugin; `message` says why, in words for the operator. */
export class PluginShapeError extends Error {
  override readonly name = 'PluginShapeError';
}

/**
 * Checks what a plugin module exports (its default export, or the module itself): a value made by the
 * kit's `defineSmsProvider`, whose defaults are already resolved and whose `kitVersion` is stamped. Every problem
 * found is listed; a schema ajv refuses is one of them.
 */
export function checkPluginShape(module: unknown): SmsProviderPlugin {
  const candidate = (module as { default?: unknown } | null)?.default ?? module;
  if (candidate === null || typeof candidate !== 'object')
    throw new PluginShapeError('the module has no default export (expected defineSmsProvider({...}))');
  const value = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof value.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(value.name))
    problems.push('name must be a word of letters, digits, _ or -');
  if (typeof value.version !== 'string' || value.version === '') problems.push('version must be a string');
  if (typeof value.kitVersion !== 'string' || !/^\d+\.\d+\.\d+/.test(value.kitVersion))
    problems.push('kitVersion is missing (build the plugin with defineSmsProvider from @otpledger/plugin-kit)');
  if (value.kit !== undefined && typeof value.kit !== 'string') problems.push('kit must be a semver range string');
  if (typeof value.create !== 'function') problems.push('create must be a function');
  if (typeof value.settingsKey !== 'string' || !/^[a-z][a-z0-9_]*$/.test(value.settingsKey))
    problems.push('settingsKey must be snake_case');
  if (!Array.isArray(value.secretFields) || !value.secretFields.every((field) => typeof field === 'string'))
    problems.push('secretFields must be an array of JSON pointers');
  if (value.configSchema === null || typeof value.configSchema !== 'object') problems.push('configSchema must be a JSON Schema object');
  else {
    try {
      compileSchema(value.configSchema as object);
    } catch (error) {
      problems.push(`configSchema does not compile: ${(error as Error).message}`);
    }
    for (const pointer of Array.isArray(value.secretFields) ? (value.secretFields as string[]) : []) {
      try {
        if (!schemaAtPointer(value.configSchema, pointer)) problems.push(`secret field ${pointer} is not in configSchema`);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  if (problems.length > 0) throw new PluginShapeError(problems.join('; '));
  return Object.freeze({ ...(value as unknown as SmsProviderPlugin) });
}
