import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of otpledger's own package.json: the clone when running the sources (`core/…`), the installed
 * package when running the build (`dist/core/…`). `config/` lives there in both cases.
 */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'config', 'default.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`otpledger: no package root with config/default.json above ${from}`);
  }
}
