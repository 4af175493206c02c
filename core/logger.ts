import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { Config } from './config/configSchema.js';

export type { Logger };

/** Fields that must never reach a log line, at the top level or one level down. */
const secretFields = ['client_secret', 'passcode', 'otp', 'api_key', 'password', 'access_token', 'refresh_token', 'id_token'];

const redactPaths = ['req.headers.authorization', 'req.headers.cookie', ...secretFields, ...secretFields.map((field) => `*.${field}`)];

/**
 * `log.pretty` when set; otherwise pretty exactly when stdout is a terminal, so a person at a terminal reads lines
 * and a log collector (a pipe, a file, a container runtime) gets JSON.
 */
export function wantsPrettyLogs(config: Pick<Config, 'log'>, stdoutIsTerminal = process.stdout.isTTY === true): boolean {
  return config.log.pretty ?? stdoutIsTerminal;
}

/**
 * The process logger, secrets censored: JSON lines on stdout, or human-readable lines (pino-pretty, synchronous,
 * so nothing is lost at exit) when `wantsPrettyLogs`. `destination` replaces stdout (tests).
 */
export function createLogger(config: Pick<Config, 'log'>, destination?: DestinationStream): Logger {
  const options = { level: config.log.level, redact: { paths: redactPaths, censor: '[redacted]' } };
  const pretty = wantsPrettyLogs(config, destination ? false : undefined);
  if (pretty) {
    return pino(
      options,
      PinoPretty({
        sync: true,
        colorize: destination ? false : process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        ...(destination && { destination }),
      }),
    );
  }
  return destination ? pino(options, destination) : pino(options);
}
