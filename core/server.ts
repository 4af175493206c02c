import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { asValue, type AwilixContainer } from 'awilix';
import type { Config } from './config/configSchema.js';
import { loadConfig } from './config/loadConfig.js';
import { buildContainer, type Overrides } from './container.js';
import type { Cradle } from './cradle.js';
import { answerClientErrors } from './http/clientFaults.js';
import { gracefulClose } from './http/gracefulClose.js';
import { applyBootstrap } from './applications/bootstrap.js';
import { startMetricsListener, type MetricsListener } from './metrics/metricsListener.js';

export interface StartServerOptions {
  /** Defaults to `loadConfig()` (files and environment). */
  config?: Config;
  overrides?: Overrides;
}

export interface RunningServer {
  /** `http://host:port` as actually bound (port 0 becomes the chosen port). */
  url: string;
  port: number;
  /** Where `GET /metrics` is served on its own listener (unless `metrics.onApiListener`). */
  metricsUrl?: string;
  container: AwilixContainer<Cradle>;
  /** Stops accepting, lets in-flight requests finish (bounded by `server.shutdownTimeoutMs`), closes the store. */
  close(): Promise<void>;
}

/** Builds the container, opens the event store, listens. Fails (and cleans up) if any of that fails. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const overrides = options.overrides ?? {};
  mkdirSync(config.dataDir, { recursive: true });
  if (config.eventStore.url.startsWith('sqlite:')) {
    mkdirSync(path.dirname(path.resolve(config.eventStore.url.slice('sqlite:'.length))), { recursive: true });
  }

  const container = await buildContainer(config, overrides);
  try {
    const { logger } = container.cradle;
    container.resolve('eventStore'); // open it now: a bad store fails the start, not the first request
    container.resolve('keyStore');
    if (!config.eventStore.url.startsWith('sqlite:') && config.keyStore.url.startsWith('sqlite:')) {
      logger.warn(
        { keyStore: config.keyStore.url },
        'subject keys (erasure) are in a SQLite file on this host: every otpledger process sharing the event store must share this key store, so run them on one host (see docs/erasure.md)',
      );
    }
    await applyBootstrap(container.cradle);
    // catches up from its checkpoints in the background: queries may lag, commands never wait for it
    container.resolve('projectionRunner').start();
    const server = createServer();
    answerClientErrors(server, container.cradle);
    const closeServer = gracefulClose(server);
    const port = await listen(server, config.server.port, config.server.host);
    const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
    if (!config.oidc.issuer && !overrides.issuer) container.register({ issuer: asValue(url) });
    // The app is built once the URL is known (it may be the issuer); no request can arrive before this line.
    server.on('request', container.resolve('app').callback());
    let metricsListener: MetricsListener | undefined;
    const { metrics } = container.cradle;
    if (metrics && config.metrics.onApiListener) {
      logger.warn(
        "metrics are served on the API listener (metrics.onApiListener): their counters tell known from unknown identifiers; keep this listener off any network but your monitoring's",
      );
    } else if (metrics) {
      try {
        metricsListener = await startMetricsListener(metrics, config.metrics.host, config.metrics.port, logger);
      } catch (error) {
        await closeServer(0);
        throw error;
      }
    }

    if (config.dev.outbox) {
      logger.warn(
        'DEV OUTBOX IS ON: every SMS text (with its code) can be read at GET /dev/sms-outbox. ' +
          'Turn it off in production: "dev": { "outbox": false } in your OTPLEDGER_CONFIG file.',
      );
    }

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= Promise.all([closeServer(config.server.shutdownTimeoutMs), metricsListener?.close()])
        // the runner stops (and commits its last batch) before the stores it reads and writes close
        .then(() => container.cradle.projectionRunner.stop())
        .finally(() => container.dispose());
      return closing;
    };
    return { url, port, ...(metricsListener && { metricsUrl: metricsListener.url }), container, close };
  } catch (error) {
    await container.dispose();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
