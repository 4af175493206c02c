import { Router } from '@koa/router';
import { asFunction, asValue } from 'awilix';
import { expect } from 'chai';
import type { Cradle } from '../core/cradle.js';
import { createApp } from '../core/http/app.js';
import type { AppState } from '../core/http/types.js';
import { startServer } from '../core/server.js';
import { captureLogger } from './support/captureLogger.js';
import { fakeEventStore } from './support/fakeEventStore.js';
import { tempDir } from './support/tempDir.js';
import { testConfig } from './support/testConfig.js';

/** A route that tells the test when it has started and finishes only when the test says so. */
function slowRoute() {
  let entered!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const routes = () =>
    new Router<AppState>().get('/test/slow', async (ctx) => {
      entered();
      await gate;
      ctx.body = { done: true };
    });
  return { routes, started, release };
}

describe('startServer / close()', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  async function start(shutdownTimeoutMs: number) {
    const slow = slowRoute();
    const store = fakeEventStore();
    const server = await startServer({
      config: testConfig(temp.dir, { server: { host: '127.0.0.1', port: 0, shutdownTimeoutMs } }),
      overrides: {
        logger: asValue(captureLogger().logger),
        eventStore: asFunction(() => store)
          .singleton()
          .disposer((s) => s.close()),
        app: asFunction((cradle: Cradle) => createApp(cradle, { routes: [slow.routes] })).singleton(),
      },
    });
    return { server, store, slow };
  }

  it('lets an in-flight request finish, refuses new connections, then closes the store', async () => {
    const { server, store, slow } = await start(10_000);
    const inFlight = fetch(`${server.url}/test/slow`);
    await slow.started;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    const refused = await fetch(`${server.url}/healthz`).then(
      () => 'answered',
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).to.equal('ECONNREFUSED');
    expect(closed).to.equal(false);
    expect(store.closed).to.equal(false);

    slow.release();
    const response = await inFlight;
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ done: true });
    expect(response.headers.get('connection')).to.equal('close');
    await closing;
    expect(store.closed).to.equal(true);
  });

  it('cuts requests still running after shutdownTimeoutMs, and close() resolves', async () => {
    const { server, store, slow } = await start(50);
    const inFlight = fetch(`${server.url}/test/slow`).then(
      () => 'answered',
      () => 'cut',
    );
    await slow.started;
    await server.close();
    expect(await inFlight).to.equal('cut');
    expect(store.closed).to.equal(true);
    slow.release();
  });

  it('is idempotent: a second close() waits for the same shutdown', async () => {
    const { server } = await start(1000);
    const first = server.close();
    expect(server.close()).to.equal(first);
    await first;
  });
});
