import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './configError.js';

/**
 * Where one secret comes from, in order: the env variable itself, a file named by `<NAME>_FILE`
 * (Docker/Kubernetes secrets), or undefined when neither is set.
 */
export function readSecretFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline && file) throw new ConfigError(`${name} and ${name}_FILE are both set; set one`);
  if (inline) return inline.trim();
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`${name}_FILE: cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * A development secret kept in `<dataDir>/secrets/<fileName>` (mode 0600): read when it exists, otherwise
 * created from `generate()`. Creation is exclusive, so two processes starting on one data dir agree.
 */
export async function devSecret(dataDir: string, fileName: string, generate: () => Promise<string>): Promise<string> {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, fileName);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existing = tryRead(file);
  if (existing !== undefined) return existing;
  const value = await generate();
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file, 'utf8').trim();
  }
}

function tryRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
