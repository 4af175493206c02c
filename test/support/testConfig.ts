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
  });
  return loadConfig({ env: { OTPLEDGER_CONFIG: file } });
}
