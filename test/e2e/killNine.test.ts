import { expect } from 'chai';
import path from 'node:path';
import { verifyChain } from '../../core/audit/verifyChain.js';
import { loadConfig } from '../../core/config/loadConfig.js';
import { createEventStore } from '../../core/eventStore/createEventStore.js';
import { startServer } from '../../core/server.js';
import { startChildServer } from '../support/childServer.js';
import { acme } from '../support/otpServer.js';
import { freshSchema, needPostgres, postgresUrl } from '../support/postgres.js';
import { tempDir } from '../support/tempDir.js';
import { testConfig } from '../support/testConfig.js';

/**
 * `kill -9` in the middle of traffic: every request that was answered 2xx is in the store after the
 * restart, every hash chain still verifies, and the restarted server serves, its read models included.
 */
for (const store of ['sqlite', 'postgres'] as const) {
  describe(`kill -9 under load (${store})`, function () {
    this.timeout(120_000);

    it('loses no acknowledged write and breaks no chain', async function () {
      if (store === 'postgres') needPostgres(this);
      const temp = tempDir();
      const schema = store === 'postgres' ? freshSchema(postgresUrl!, 'kill') : undefined;
      const storeUrl = schema?.url ?? `sqlite:${path.join(temp.dir, 'otpledger.db')}`;
      testConfig(temp.dir, { bootstrap: { tenants: [acme] }, eventStore: { url: storeUrl } });
      const configFile = path.join(temp.dir, 'test-config.json');
      try {
        const first = await startChildServer(configFile);
        const token = await clientToken(first.url);
        const acknowledged: { phone: string; userId: string }[] = [];
        let stopped = false;
        const createUsers = async (worker: number) => {
          for (let i = 0; !stopped; i++) {
            const phone = `+1415${200 + worker}${String(i).padStart(4, '0')}`;
            try {
              const response = await fetch(`${first.url}/cis/v1/users`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                body: JSON.stringify({ phone_number: phone }),
              });
              if (response.status === 201)
                acknowledged.push({ phone, userId: ((await response.json()) as { result: { user_id: string } }).result.user_id });
            } catch {
              return; // the server is gone
            }
          }
        };
        const workers = Array.from({ length: 20 }, (_, w) => createUsers(w));
        const deadline = Date.now() + 30_000;
        while (acknowledged.length < 100) {
          if (Date.now() > deadline) throw new Error(`only ${acknowledged.length} users created`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await first.kill(); // with requests in flight
        stopped = true;
        await Promise.all(workers);

        const second = await startServer({ config: loadConfig({ env: { OTPLEDGER_CONFIG: configFile } }) });
        try {
          const eventStore = createEventStore(storeUrl);
          try {
            const created = new Set<string>();
            for await (const event of eventStore.readAll({ filter: { eventTypes: ['UserCreated'] } })) created.add(event.streamName);
            const lost = acknowledged.filter(({ userId }) => !created.has(`user-acme-${userId}`));
            expect(lost, `${lost.length} of ${acknowledged.length} acknowledged users lost`).to.deep.equal([]);
            const report = await verifyChain(eventStore);
            expect(report.ok, JSON.stringify(report.broken)).to.equal(true);
          } finally {
            await eventStore.close();
          }
          // the restarted server serves, and its read models hold everything acknowledged
          const admin = await clientToken(second.url, 'acme-admin');
          const last = acknowledged[acknowledged.length - 1]!;
          const readModelDeadline = Date.now() + 20_000;
          for (;;) {
            const response = await fetch(`${second.url}/admin/v1/users/${last.userId}`, { headers: { authorization: `Bearer ${admin}` } });
            if (response.status === 200) break;
            if (Date.now() > readModelDeadline) throw new Error(`the read model never showed user ${last.userId} (${response.status})`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        } finally {
          await second.close();
        }
      } finally {
        await schema?.drop();
        temp.remove();
      }
    });
  });
}

async function clientToken(url: string, clientId = 'acme-web'): Promise<string> {
  const response = await fetch(`${url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientId}-secret` }),
  });
  expect(response.status).to.equal(200);
  return ((await response.json()) as { access_token: string }).access_token;
}
