import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './configSchema.js';
import { ConfigError } from './configError.js';
import { devSecret, readSecretFromEnv } from './secretSource.js';
import { generateSigningJwk, parseSigningKeys, type SigningKey } from './signingKeys.js';

export type { SigningKey };

export interface Secrets {
  /** 32 bytes: encrypts secrets stored in events (e.g. plugin API keys). */
  masterKey: Buffer;
  /** Names `masterKey` in what it encrypts, so a rotated key can still decrypt old data. */
  masterKeyId: string;
  /** Master keys retired by a rotation: they only decrypt what they sealed (`OTPLEDGER_PREVIOUS_MASTER_KEYS`). */
  previousMasterKeys: { id: string; key: Buffer }[];
  /** 32 bytes: keyed hashes of OTPs, client secrets and the phone index. */
  hmacKey: Buffer;
  /** Every key of `OTPLEDGER_SIGNING_KEY` (or the development keys: one ES256, one RS256), in order; all are in the JWKS. */
  signingKeys: SigningKey[];
  /** The first ES256 key: what signs unless an RS256 token is asked for. */
  signingKey: SigningKey;
}

/**
 * Each secret comes from its env variable (`OTPLEDGER_MASTER_KEY`, `OTPLEDGER_HMAC_KEY`: base64 of 32 bytes;
 * `OTPLEDGER_SIGNING_KEY`: private JWKs, see `signingKeys.ts`), or from the file named by `<NAME>_FILE`. A secret
 * given neither way is a development key generated once into `<dataDir>/secrets/` and reused, with a loud warning,
 * when `secrets.developmentKeys` is on (the demo config); when it is off, a missing secret is a `ConfigError` naming them all.
 */
const requiredSecrets = ['OTPLEDGER_MASTER_KEY', 'OTPLEDGER_HMAC_KEY', 'OTPLEDGER_SIGNING_KEY'] as const;

export async function loadSecrets(config: Config, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  const missing = config.secrets.developmentKeys ? [] : requiredSecrets.filter((name) => readSecretFromEnv(env, name) === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `missing secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: give each in its environment variable or in a file named by <NAME>_FILE ` +
        '(development keys are off: "secrets": { "developmentKeys": false }, as in config/production.example.json)',
    );
  }
  const devKeys: string[] = [];
  const fromEnvOrDev = async (name: string, fileName: string, generate: () => Promise<string>) => {
    const value = readSecretFromEnv(env, name);
    if (value !== undefined) return value;
    devKeys.push(name);
    return devSecret(config.dataDir, fileName, generate);
  };
  const randomKey = async () => randomBytes(32).toString('base64');

  const masterKey = decodeKey('OTPLEDGER_MASTER_KEY', await fromEnvOrDev('OTPLEDGER_MASTER_KEY', 'master.key', randomKey));
  const hmacKey = decodeKey('OTPLEDGER_HMAC_KEY', await fromEnvOrDev('OTPLEDGER_HMAC_KEY', 'hmac.key', randomKey));
  const signingKeys = await loadSigningKeys(env, config.dataDir, devKeys);
  const signingKey = signingKeys.find((key) => key.alg === 'ES256');
  if (!signingKey) throw new ConfigError('OTPLEDGER_SIGNING_KEY needs an EC P-256 key (ES256): it signs access and refresh tokens');
  if (!signingKeys.some((key) => key.alg === 'RS256')) {
    logger.warn(
      "OTPLEDGER_SIGNING_KEY has no RSA key: tokens asked for in RS256 (the Auth0 dialect's id_tokens, applications with " +
        "id_token_signed_response_alg RS256) are signed ES256 instead, which Auth0's SDKs refuse. Add an RSA key to the key set.",
    );
  }

  if (devKeys.length > 0) {
    logger.warn(
      { devKeys, dir: path.join(config.dataDir, 'secrets') },
      'USING DEVELOPMENT KEYS generated on this machine: anyone with the data dir can forge tokens and read secrets. ' +
        'Set OTPLEDGER_MASTER_KEY, OTPLEDGER_HMAC_KEY and OTPLEDGER_SIGNING_KEY (or their _FILE variants) in production.',
    );
  }
  const previous = readSecretFromEnv(env, 'OTPLEDGER_PREVIOUS_MASTER_KEYS');
  const previousMasterKeys = (previous ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((base64) => decodeKey('OTPLEDGER_PREVIOUS_MASTER_KEYS', base64))
    .map((key) => ({ id: keyId(key), key }));
  return { masterKey, masterKeyId: keyId(masterKey), previousMasterKeys, hmacKey, signingKeys, signingKey };
}

function decodeKey(name: string, base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64') !== base64.replace(/\s/g, '')) {
    throw new ConfigError(`${name} must be 32 random bytes in base64 (try: openssl rand -base64 32)`);
  }
  return key;
}

/** A stable, non-secret name for a symmetric key. */
function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The keys of the environment, or the development pair: the ES256 key file of old and an RS256 one beside it. */
async function loadSigningKeys(env: NodeJS.ProcessEnv, dataDir: string, devKeys: string[]): Promise<SigningKey[]> {
  const given = readSecretFromEnv(env, 'OTPLEDGER_SIGNING_KEY');
  if (given !== undefined) return parseSigningKeys(given);
  devKeys.push('OTPLEDGER_SIGNING_KEY');
  const ec = await devSecret(dataDir, 'signing-key.jwk.json', () => generateSigningJwk('ES256'));
  const rsa = await devSecret(dataDir, 'signing-key-rs256.jwk.json', () => generateSigningJwk('RS256'));
  return [
    ...(await parseSigningKeys(ec, 'the development key signing-key.jwk.json')),
    ...(await parseSigningKeys(rsa, 'the development key signing-key-rs256.jwk.json')),
  ];
}
