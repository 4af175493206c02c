import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveImport } from 'import-meta-resolve';
import type { Logger } from '../logger.js';
import { declaredKitRange, kitIncompatibility, readPluginPackage, type PluginPackage } from './kitCompatibility.js';
import { checkPluginShape } from './pluginShape.js';
import { SmsPluginRegistry } from './pluginRegistry.js';

const BUILT_IN_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

export interface LoadPluginsOptions {
  /** Module specifiers from config `plugins`: a path (relative to `cwd`) or an npm package name. */
  external: readonly string[];
  logger: Logger;
  cwd?: string;
  /** Where the built-in `<name>/index.ts` folders are; defaults to this repository's `plugins/`. */
  builtInDir?: string;
}

/**
 * Loads every built-in provider from `plugins/<name>/index.ts`, then the external ones named in config.
 * A module that fails to import, has the wrong shape or needs a kit version this server does not have
 * (see kitCompatibility.ts) is logged (warn) by name with the reason and skipped: one broken plugin never
 * takes the server down. Built-ins load first, so no external plugin can replace one by taking its name.
 */
export async function loadSmsPlugins(options: LoadPluginsOptions): Promise<SmsPluginRegistry> {
  const { logger, cwd = process.cwd(), builtInDir = BUILT_IN_DIR } = options;
  const registry = new SmsPluginRegistry();
  const candidates = [
    ...builtInFolders(builtInDir).map(({ folder, entry }) => ({
      source: `built-in ${path.basename(folder)}`,
      builtIn: true,
      locate: (): Located => ({ url: pathToFileURL(entry).href }),
    })),
    ...options.external.map((specifier) => ({ source: specifier, builtIn: false, locate: () => resolveExternal(specifier, cwd) })),
  ];
  for (const { source, builtIn, locate } of candidates) {
    try {
      const { url, pkg } = locate();
      const plugin = checkPluginShape(await import(url));
      const incompatible = kitIncompatibility(plugin, declaredKitRange(plugin, pkg));
      if (incompatible) throw new Error(incompatible);
      if (!registry.add(plugin, source, { builtIn }))
        throw new Error(`the provider name "${plugin.name}" is already taken by ${registry.get(plugin.name)!.source}`);
      logger.info({ plugin: plugin.name, version: plugin.version, source }, 'SMS provider plugin loaded');
    } catch (error) {
      const reason = (error as Error).message ?? String(error);
      registry.failures.push({ source, reason });
      logger.warn({ plugin: source, reason }, `SMS provider plugin ${source} was not loaded: ${reason}`);
    }
  }
  return registry;
}

/** Each `<name>/index.ts` (the sources) or `<name>/index.js` (the build, `dist/plugins/`), by folder name. */
function builtInFolders(dir: string): { folder: string; entry: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name))
    .sort()
    .flatMap((folder) => {
      const entry = ['index.ts', 'index.js'].map((name) => path.join(folder, name)).find((file) => existsSync(file));
      return entry ? [{ folder, entry }] : [];
    });
}

interface Located {
  url: string;
  /** The package.json that declares the plugin's kit range, when there is one. */
  pkg?: PluginPackage;
}

/**
 * A path (`./x`, `../x`, `/x`) from `cwd`, a folder meaning its index.ts/index.js, with the nearest named
 * package.json above it; else a package resolved from `cwd` as `import` would (its `exports`), with its own
 * package.json.
 */
function resolveExternal(specifier: string, cwd: string): Located {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    let file = path.resolve(cwd, specifier);
    if (existsSync(file) && statSync(file).isDirectory()) {
      const index = ['index.ts', 'index.js', 'index.mjs'].map((name) => path.join(file, name)).find((candidate) => existsSync(candidate));
      if (!index) throw new Error(`${file} has no index.ts or index.js`);
      file = index;
    }
    if (!existsSync(file)) throw new Error(`no file at ${file}`);
    return { url: pathToFileURL(file).href, pkg: packageAbove(file, (json) => typeof json.name === 'string') };
  }
  let url: string;
  try {
    url = resolveImport(specifier, pathToFileURL(path.join(cwd, 'package.json')).href);
  } catch {
    throw new Error(`package "${specifier}" cannot be found from ${cwd} (is it installed?)`);
  }
  const name = specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
  return { url, pkg: url.startsWith('file:') ? packageAbove(fileURLToPath(url), (json) => json.name === name) : undefined };
}

/** The first package.json above `file` that `matches`. */
function packageAbove(file: string, matches: (json: PluginPackage['json']) => boolean): PluginPackage | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = readPluginPackage(candidate);
      if (matches(pkg.json)) return pkg;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
