import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../packageRoot.js';
import { compileSchema } from '../validation/compileSchema.js';
import { SchemaValidationError } from '../validation/schemaValidationError.js';
import { bootstrapProblems } from './bootstrapRules.js';
import { configSchema, type Config } from './configSchema.js';
import { ConfigError } from './configError.js';
import { deepFreeze } from './deepFreeze.js';
import { deepMerge, isPlainObject, type PlainObject } from './deepMerge.js';
import { applyEnvOverrides } from './envOverrides.js';
import { parseIpRange } from '../support/ipRange.js';
import { parseSmsProtectionPolicy } from '../protection/smsProtectionPolicy.js';

const defaultsFile = path.join(packageRoot, 'config', 'default.json');
const validateConfig = compileSchema<Config>(configSchema);

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Replaces `config/default.json` (tests). */
  defaultsFile?: string;
}

/**
 * `config/default.json`, then the overlay file named by `OTPLEDGER_CONFIG` (deep merge, arrays replaced),
 * then single-value env overrides (`PORT`, `HOST`, `OTPLEDGER_DATA_DIR`, `OTPLEDGER_EVENT_STORE_URL`,
 * `OTPLEDGER_KEY_STORE_URL`, `OTPLEDGER_LOG_LEVEL`); validated with defaults applied, and frozen.
 * Throws one `ConfigError` that lists every problem with its path.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  let merged = readJsonObject(options.defaultsFile ?? defaultsFile, 'defaults');
  const overlayFile = env.OTPLEDGER_CONFIG;
  if (overlayFile) merged = deepMerge(merged, readJsonObject(path.resolve(overlayFile), 'OTPLEDGER_CONFIG'));
  const { config, applied } = applyEnvOverrides(merged, env);
  deriveEventStoreUrl(config);
  deriveKeyStoreUrl(config);
  let valid: Config;
  try {
    valid = checkSemantics(validateConfig(config));
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) throw error;
    const problems = error.problems.map((problem) => {
      const source = applied.find(({ pointer }) => problem.startsWith(`${pointer} `));
      return source ? `${problem} (from ${source.variable})` : problem;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const problems = bootstrapProblems(valid);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return deepFreeze(valid);
}

/**
 * What the schema cannot say: each trusted proxy is an address or a CIDR range, and the protection defaults
 * are a policy (checked by its own schema, so its problems are named under `/sms/protectionDefaults`).
 */
function checkSemantics(config: Config): Config {
  const problems = config.server.trustedProxies.flatMap((entry, index) => {
    try {
      parseIpRange(entry);
      return [];
    } catch {
      return [`/server/trustedProxies/${index} "${entry}" is not an IP address or CIDR range`];
    }
  });
  try {
    parseSmsProtectionPolicy(config.sms.protectionDefaults);
  } catch (error) {
    if (!(error instanceof SchemaValidationError)) throw error;
    problems.push(...error.problems.map((problem) => `/sms/protectionDefaults${problem.startsWith('/') ? '' : ' '}${problem}`));
  }
  if (problems.length > 0) throw new SchemaValidationError(problems);
  return config;
}

/** The embedded store lives in the data dir unless a URL is given. */
function deriveEventStoreUrl(config: PlainObject): void {
  const eventStore = isPlainObject(config.eventStore) ? config.eventStore : {};
  config.eventStore = eventStore;
  if (eventStore.url !== undefined) return;
  const dataDir = typeof config.dataDir === 'string' ? config.dataDir : configSchema.properties.dataDir.default;
  eventStore.url = `sqlite:${path.join(dataDir, 'otpledger.db')}`;
}

/**
 * Subject keys live in the PostgreSQL event store's database, in a file of their own beside the
 * embedded event store, else in the data dir.
 */
function deriveKeyStoreUrl(config: PlainObject): void {
  const keyStore = isPlainObject(config.keyStore) ? config.keyStore : {};
  config.keyStore = keyStore;
  if (keyStore.url !== undefined) return;
  const eventStoreUrl = (config.eventStore as PlainObject).url;
  if (typeof eventStoreUrl === 'string' && /^\s*postgres(ql)?:\/\//i.test(eventStoreUrl)) {
    keyStore.url = eventStoreUrl;
    return;
  }
  const dataDir = typeof config.dataDir === 'string' ? config.dataDir : configSchema.properties.dataDir.default;
  const dir =
    typeof eventStoreUrl === 'string' && eventStoreUrl.startsWith('sqlite:')
      ? path.dirname(eventStoreUrl.slice('sqlite:'.length))
      : dataDir;
  keyStore.url = `sqlite:${path.join(dir, 'subject-keys.db')}`;
}

function readJsonObject(file: string, label: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${label}: cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label}: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(value)) throw new ConfigError(`${label}: ${file} must hold a JSON object`);
  return value;
}
