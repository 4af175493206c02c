/**
 * The configuration (files, environment or secrets) cannot be used. `main` prints the message and exits 1,
 * without a stack trace: the message alone says what to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
