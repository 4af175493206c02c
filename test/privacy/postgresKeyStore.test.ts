import fs from 'node:fs';
import path from 'node:path';
import { PostgresKeyStore } from '../../core/privacy/postgresKeyStore.js';
import { keyStoreContract } from '../contracts/keyStore.contract.js';
import { describePostgres, freshSchema } from '../support/postgres.js';

/** The cluster's data directory, when the test started it (`.ci/postgres.sh` exports PG_TEST_DIR). */
const dataDir = process.env.PG_TEST_DIR ? path.join(process.env.PG_TEST_DIR, 'data') : undefined;

/** Every regular file PostgreSQL keeps under its data directory: tables, indexes, the WAL, the rest. */
function clusterFiles(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...clusterFiles(file));
    else if (entry.isFile()) {
      try {
        out.push(fs.readFileSync(file));
      } catch {
        // removed between the listing and the read (a WAL segment, a temp file)
      }
    }
  }
  return out;
}

describePostgres('PostgreSQL key store', (url) => {
  const schema = freshSchema(url, 'keys');
  after(() => schema.drop());
  const warnings: string[] = [];
  keyStoreContract('postgres', {
    open: () => new PostgresKeyStore(schema.url, (message) => warnings.push(message)),
    openAnother: () => new PostgresKeyStore(schema.url),
    // the proof reads the cluster's files: only for a cluster this test run started and can read
    ...(dataDir && fs.existsSync(dataDir) && { persistedBytes: () => clusterFiles(dataDir) }),
  });
});
