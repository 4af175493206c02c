import pg from 'pg';
import { StoreUnavailableError } from './storeUnavailable.js';

/** How the PostgreSQL store connects: the driver's settings plus the few of its own. */
export interface PostgresSettings {
  /** The URL as given, without otpledger's own parameters (the driver reads the rest). */
  connectionString: string;
  /** The PostgreSQL schema holding the store's tables, `otpledger` unless the URL says `?schema=`. */
  schema: string;
  /** Fail a connection attempt after this long (`connect_timeout` in seconds in the URL, else 3 s). */
  connectTimeoutMs: number;
  /** Fail a query that has not answered after this long (`query_timeout` ms in the URL, else 10 s). */
  queryTimeoutMs: number;
  /** Connections for reads (`pool_max` in the URL, else 10); appends use one connection of their own. */
  poolMax: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `postgres://user:password@host:port/database?schema=otpledger&connect_timeout=3`: everything the driver
 * understands (`sslmode`, `application_name`, ...) passes through; `schema`, `query_timeout` and `pool_max`
 * are ours and removed before it sees them.
 */
export function parsePostgresUrl(url: string): PostgresSettings {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error('eventStore.url: not a valid postgres:// URL');
  }
  const take = (name: string): string | null => {
    const value = parsed.searchParams.get(name);
    parsed.searchParams.delete(name);
    return value;
  };
  const schema = take('schema') ?? 'otpledger';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`eventStore.url: schema "${schema}" must be a lower-case SQL identifier`);
  const number = (name: string, fallback: number, scale = 1): number => {
    const value = name === 'connect_timeout' ? parsed.searchParams.get(name) : take(name);
    if (value === null) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`eventStore.url: ${name} must be a positive number`);
    return n * scale;
  };
  return {
    schema,
    connectTimeoutMs: number('connect_timeout', 3000, 1000),
    queryTimeoutMs: number('query_timeout', 10_000),
    poolMax: Math.floor(number('pool_max', 10)),
    connectionString: parsed.toString(),
  };
}

/** int8 (positions, counts) as numbers: positions stay far below 2^53. Everything else as the driver parses it. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The driver options every connection of the store uses. */
export function clientConfig(settings: PostgresSettings): pg.ClientConfig {
  return {
    connectionString: settings.connectionString,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    query_timeout: settings.queryTimeoutMs,
    // the server gives up a little before the client does, so its error (not a dead socket) comes back
    statement_timeout: Math.max(1, settings.queryTimeoutMs - 500),
    keepAlive: true,
    application_name: 'otpledger',
    types,
  };
}

/** SQLSTATE classes and driver errors that mean "the database is not there", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code)) return true;
    // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now;
    // 53300: too many connections; 57014: statement timeout (the server is overloaded or stuck)
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === '57014') return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable|Connection ended/i.test(
      message,
    )
  );
}

/** A driver error as the store reports it: unavailability as `StoreUnavailableError`, anything else unchanged. */
export function storeError(error: unknown, doing: string): Error {
  if (error instanceof StoreUnavailableError) return error;
  if (isUnavailable(error)) {
    return new StoreUnavailableError(`PostgreSQL is unavailable (${doing}): ${(error as Error).message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
