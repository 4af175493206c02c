import { isPlainObject, type PlainObject } from './deepMerge.js';

/** The environment variables that override single config values (after the files). */
const overrides = [
  { variable: 'PORT', path: ['server', 'port'], integer: true },
  { variable: 'HOST', path: ['server', 'host'] },
  { variable: 'OTPLEDGER_DATA_DIR', path: ['dataDir'] },
  { variable: 'OTPLEDGER_EVENT_STORE_URL', path: ['eventStore', 'url'] },
  { variable: 'OTPLEDGER_KEY_STORE_URL', path: ['keyStore', 'url'] },
  { variable: 'OTPLEDGER_LOG_LEVEL', path: ['log', 'level'] },
  { variable: 'OTPLEDGER_ISSUER', path: ['oidc', 'issuer'] },
  { variable: 'OTPLEDGER_METRICS_PORT', path: ['metrics', 'port'], integer: true },
] as const;

export interface AppliedOverride {
  variable: string;
  /** JSON pointer of the value it set, e.g. `/server/port`. */
  pointer: string;
}

/**
 * Writes the set variables into a copy of `config`. A number-valued variable that is not a whole number
 * is kept as the string, so validation reports it at its path like any other wrong type.
 */
export function applyEnvOverrides(config: PlainObject, env: NodeJS.ProcessEnv): { config: PlainObject; applied: AppliedOverride[] } {
  const result = structuredClone(config);
  const applied: AppliedOverride[] = [];
  for (const override of overrides) {
    const raw = env[override.variable];
    if (raw === undefined || raw === '') continue;
    const value = 'integer' in override && /^\d+$/.test(raw) ? Number(raw) : raw;
    setPath(result, override.path, value);
    applied.push({ variable: override.variable, pointer: `/${override.path.join('/')}` });
  }
  return { config: result, applied };
}

function setPath(target: PlainObject, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const next: PlainObject = isPlainObject(child) ? child : {};
  target[head] = next;
  setPath(next, rest, value);
}
