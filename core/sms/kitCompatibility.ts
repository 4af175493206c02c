import { readFileSync } from 'node:fs';
import { KIT_VERSION, type SmsProviderPlugin } from '@otpledger/plugin-kit';
import semver from 'semver';

const KIT_PACKAGE = '@otpledger/plugin-kit';

/** A plugin's package.json, as far as the kit check reads it. */
export interface PluginPackage {
  path: string;
  json: { name?: string; peerDependencies?: Record<string, string>; dependencies?: Record<string, string> };
}

export interface DeclaredKitRange {
  range: string;
  /** Where the range was found, for the operator: `its definition (kit)`, `its package.json peerDependencies`. */
  declaredIn: string;
}

/**
 * The kit versions a plugin says it works with: its definition's `kit`, else the `@otpledger/plugin-kit`
 * entry of its package.json (`peerDependencies`, then `dependencies`; `file:` and other non-semver specs are
 * not ranges), else `^` the kit version it was built with.
 */
export function declaredKitRange(plugin: SmsProviderPlugin, pkg: PluginPackage | undefined): DeclaredKitRange {
  if (plugin.kit !== undefined) return { range: plugin.kit, declaredIn: 'its definition (kit)' };
  for (const field of ['peerDependencies', 'dependencies'] as const) {
    const spec = pkg?.json[field]?.[KIT_PACKAGE];
    if (typeof spec === 'string' && semver.validRange(spec)) return { range: spec, declaredIn: `${pkg!.path} ${field}` };
  }
  return { range: `^${plugin.kitVersion}`, declaredIn: `the kit it was built with (${plugin.kitVersion})` };
}

/** Why this server cannot run the plugin with its copy of the kit, or `undefined` when it can. */
export function kitIncompatibility(
  plugin: SmsProviderPlugin,
  declared: DeclaredKitRange,
  hostVersion: string = KIT_VERSION,
): string | undefined {
  const who = `plugin ${plugin.name} ${plugin.version}`;
  if (!semver.validRange(declared.range))
    return `${who} declares "${declared.range}" as its ${KIT_PACKAGE} range (${declared.declaredIn}), which is not a semver range`;
  if (semver.satisfies(hostVersion, declared.range)) return undefined;
  return `${who} needs ${KIT_PACKAGE} ${declared.range} (${declared.declaredIn}), but this server has ${KIT_PACKAGE} ${hostVersion}`;
}

export function readPluginPackage(path: string): PluginPackage {
  return { path, json: JSON.parse(readFileSync(path, 'utf8')) as PluginPackage['json'] };
}
