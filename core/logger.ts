import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/configSchema.js';

export type { Logger };

/** Fields that must never reach a log line, at the top level or one level down. */
const secretFields = ['client_secret', 'passcode', 'otp', 'api_key', 'password', 'access_token', 'refresh_token', 'id_token'];

const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...secretFields,
  ...secretFields.map((field) => `*.${field}`),
];

/** The process logger: JSON lines on stdout (or `destination`, for tests), secrets censored. */
export function createLogger(config: Pick<Config, 'log'>, destination?: DestinationStream): Logger {
  const options = { level: config.log.level, redact: { paths: redactPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
