import Database from 'better-sqlite3';
import { expect } from 'chai';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { auditRecords } from '../../core/audit/auditEvents.js';
import { exportLines } from '../../core/audit/exportFormats.js';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import { tempDir } from '../support/tempDir.js';

const TOTAL = 100_000;

/** A real GC in this process (mocha runs without --expose-gc), so the heap measured is what is retained. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('audit export', function () {
  this.timeout(120_000);

  it(`streams ${TOTAL.toLocaleString('en-US')} events as CSV with flat memory`, async () => {
    const temp = tempDir();
    const store = SqliteEventStore.open(path.join(temp.dir, 'events.db'));
    const readModels = new Database(':memory:');
    try {
      const codeHash = 'c0de'.repeat(16);
      for (let batch = 0; batch < TOTAL / 1000; batch++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, s) =>
            store.appendToStream(
              `otp-acme-login-${(batch * 10 + s).toString(16).padStart(64, '0')}`,
              Array.from({ length: 100 }, (_, i) => ({
                type: 'OtpIssued',
                data: {
                  otpId: `${batch}-${s}-${i}`,
                  codeHash,
                  clientId: 'acme-web',
                  phoneHash: 'ab'.repeat(32),
                  issuedAt: new Date().toISOString(),
                  padding: 'x'.repeat(300),
                },
                metadata: { tenantId: 'acme', actor: 'acme-web' },
              })),
            ),
          ),
        );
      }
      const gc = collector();
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      let lines = 0;
      let bytes = 0;
      for await (const line of exportLines(auditRecords(store, readModels, { tenantId: 'acme' }), 'csv')) {
        lines += 1;
        bytes += line.length;
        if (line.includes(codeHash)) throw new Error('a code hash reached the export');
        if (lines % 20_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
      }
      expect(lines).to.equal(TOTAL + 1);
      expect(bytes).to.be.greaterThan(60 * 1024 * 1024); // the export is far bigger than the heap growth allowed below
      expect(peak - baseline, `heap grew ${(peak - baseline) / 1e6} MB`).to.be.lessThan(16 * 1024 * 1024);
    } finally {
      readModels.close();
      await store.close();
      temp.remove();
    }
  });
});
