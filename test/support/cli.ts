import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `bin/otpledger.js` as a user would, with only this config (no OTPLEDGER_* from the outside). */
export function cli(configFile: string, ...args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTPLEDGER_')));
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/otpledger.js'), ...args], {
    cwd: repoRoot, env: { ...env, OTPLEDGER_CONFIG: configFile }, encoding: 'utf8', timeout: 60_000,
  });
}
