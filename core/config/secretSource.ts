import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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
 * created from `generate()`. The value is written whole to a temporary file first and then linked into
 * place, which fails if the name exists: a reader sees no file or a whole one, never a half-written one, and
 * of two processes starting on one data dir the first to link wins and the other reads the winner's value.
 */
export async function devSecret(dataDir: string, fileName: string, generate: () => Promise<string>): Promise<string> {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, fileName);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existing = tryRead(file);
  if (existing !== undefined) return existing;
  const value = await generate();
  const temp = path.join(dir, `.${fileName}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeDurably(temp, `${value}\n`);
  try {
    return publish(temp, file) ? value : readFileSync(file, 'utf8').trim();
  } finally {
    unlinkQuietly(temp);
  }
}

/** Creates `file` (0600, exclusive) holding `text`, on disk before it returns. */
function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts the whole temp file at `file` unless a file is there already; true when this call put it there.
 * A hard link is atomic and exclusive; where links are not supported, a rename is atomic but not exclusive
 * (the last writer wins), so the caller then reads back whatever landed.
 */
function publish(temp: string, file: string): boolean {
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    renameSync(temp, file);
    return false;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already renamed into place, or never created
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
