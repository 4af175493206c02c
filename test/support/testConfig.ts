import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config/configSchema.js';
import { loadConfig } from '../../core/config/loadConfig.js';
import { writeJson } from './tempDir.js';

/**
 * The real config loader with a test overlay: data in `dataDir`, a free port on 127.0.0.1,
 * no demo tenants, no dev outbox, quiet logs.
 */
export function testConfig(dataDir: string, overlay: Record<string, unknown> = {}): Config {
  const file = writeJson(dataDir, 'test-config.json', {
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: 'silent' },
    bootstrap: { tenants: [] },
    dev: { outbox: false },
    ...overlay,
    // metrics (on in config/default.json) get a free port of their own: suites run side by side on one machine
    metrics: { port: 0, ...(overlay.metrics as object | undefined) },
  });
  seedRsaDevKey(dataDir);
  return loadConfig({ env: { OTPLEDGER_CONFIG: file } });
}

let rsaDevKey: string | undefined;

/**
 * Every test server would otherwise generate its own RS256 development key (hundreds of ms of CPU each):
 * they share one per test process, laid where the server looks for it. The ES256 key stays per server.
 */
function seedRsaDevKey(dataDir: string): void {
  const file = path.join(dataDir, 'secrets', 'signing-key-rs256.jwk.json');
  if (existsSync(file)) return;
  rsaDevKey ??= JSON.stringify({
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    alg: 'RS256',
    use: 'sig',
  });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${rsaDevKey}\n`, { mode: 0o600 });
}
