import { asValue } from 'awilix';
import { expect } from 'chai';
import type { Clock } from '../core/clock.js';
import { buildContainer } from '../core/container.js';
import { captureLogger } from './support/captureLogger.js';
import { tempDir } from './support/tempDir.js';
import { testConfig } from './support/testConfig.js';

describe('buildContainer', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('registers the core services, and lets a test replace any of them', async () => {
    const fixed: Clock = { now: () => new Date('2030-01-01T00:00:00Z') };
    const container = await buildContainer(testConfig(temp.dir), {
      clock: asValue(fixed),
      logger: asValue(captureLogger().logger),
    });
    try {
      const { clock, ids, secrets, config, issuer, app } = container.cradle;
      expect(clock.now().toISOString()).to.equal('2030-01-01T00:00:00.000Z');
      expect(ids.uuid()).to.match(/^[0-9a-f-]{36}$/);
      expect(secrets.hmacKey).to.have.length(32);
      expect(config.dataDir).to.equal(temp.dir);
      expect(issuer).to.equal('http://127.0.0.1:0');
      expect(app.callback()).to.be.a('function');
    } finally {
      await container.dispose();
    }
  });

  it('opens the event store from config.eventStore.url and closes it on dispose', async () => {
    const container = await buildContainer(testConfig(temp.dir), { logger: asValue(captureLogger().logger) });
    const store = container.resolve('eventStore');
    await store.ping();
    await container.dispose();
    let failed = false;
    await store.ping().catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
