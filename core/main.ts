import { ConfigError } from './config/configError.js';
import { loadConfig } from './config/loadConfig.js';
import { startServer, type RunningServer } from './server.js';

/**
 * `npm start`: load the config, start, log the URL, and on SIGTERM/SIGINT shut down gracefully and exit 0.
 * A second signal exits at once. A start-up failure prints one line (no stack trace) and exits 1.
 */
async function main(): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer({ config: loadConfig() });
  } catch (error) {
    const reason = error instanceof ConfigError ? error.message : `cannot start: ${(error as Error).message}`;
    console.error(`otpledger: ${reason}`);
    process.exit(1);
  }
  const { logger } = running.container.cradle;
  logger.info({ url: running.url, ...(running.metricsUrl && { metricsUrl: running.metricsUrl }) }, `otpledger listening on ${running.url}`);
  if (running.metricsUrl) logger.info({ metricsUrl: running.metricsUrl }, `metrics at ${running.metricsUrl}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`otpledger: shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
}

await main();
