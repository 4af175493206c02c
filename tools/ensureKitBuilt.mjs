// Rebuilds packages/plugin-kit/dist when a source file is newer than its built file, so the server, the
// built-in plugins and the tests (which import the kit by its package name, as any plugin does) never run
// a stale build after someone edits the kit. `npm ci` builds it once (the root `prepare` script); this check
// costs a few stat calls when nothing changed. Without the sources (an installed package) it does nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, URL } from 'node:url';

const kit = fileURLToPath(new URL('../packages/plugin-kit/', import.meta.url));

function staleFile() {
  const src = `${kit}src/`;
  if (!existsSync(src)) return undefined;
  const inputs = [`${kit}tsconfig.json`, `${kit}package.json`];
  for (const name of readdirSync(src, { recursive: true })) {
    if (!String(name).endsWith('.ts')) continue;
    const built = `${kit}dist/${String(name).replace(/\.ts$/, '.js')}`;
    if (!existsSync(built)) return `${built} is missing`;
    const builtAt = statSync(built).mtimeMs;
    if (statSync(`${src}${name}`).mtimeMs > builtAt || inputs.some((file) => statSync(file).mtimeMs > builtAt))
      return `${src}${name} changed`;
  }
  return undefined;
}

const stale = staleFile();
if (stale) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  process.stderr.write(`plugin kit: ${stale}, rebuilding packages/plugin-kit/dist\n`);
  execFileSync(process.execPath, [tsc, '-p', `${kit}tsconfig.json`], { stdio: 'inherit' });
}
