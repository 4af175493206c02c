import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { Config } from './configSchema.js';
import { ConfigError } from './configError.js';
import { devSecret, readSecretFromEnv } from './secretSource.js';

/** The key that signs tokens (ES256); `publicJwk` is what the JWKS endpoint serves. */
export interface SigningKey {
  kid: string;
  alg: 'ES256';
  privateKey: CryptoKey;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface Secrets {
  /** 32 bytes: encrypts secrets stored in events (e.g. plugin API keys). */
  masterKey: Buffer;
  /** Names `masterKey` in what it encrypts, so a rotated key can still decrypt old data. */
  masterKeyId: string;
  /** Master keys retired by a rotation: they only decrypt what they sealed (`OTPLEDGER_PREVIOUS_MASTER_KEYS`). */
  previousMasterKeys: { id: string; key: Buffer }[];
  /** 32 bytes: keyed hashes of OTPs, client secrets and the phone index. */
  hmacKey: Buffer;
  signingKey: SigningKey;
}

/**
 * Each secret comes from its env variable (`OTPLEDGER_MASTER_KEY`, `OTPLEDGER_HMAC_KEY`: base64 of 32 bytes;
 * `OTPLEDGER_SIGNING_KEY`: a private EC P-256 JWK), or from the file named by `<NAME>_FILE`. A secret given
 * neither way is a development key generated once into `<dataDir>/secrets/` and reused, with a loud warning, when
 * `secrets.developmentKeys` is on (the demo config); when it is off, a missing secret is a `ConfigError` naming them all.
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
  const signingJwk = await fromEnvOrDev('OTPLEDGER_SIGNING_KEY', 'signing-key.jwk.json', generateSigningJwk);
  const signingKey = await importSigningKey(signingJwk);

  if (devKeys.length > 0) {
    logger.warn(
      { devKeys, dir: path.join(config.dataDir, 'secrets') },
      'USING DEVELOPMENT KEYS generated on this machine: anyone with the data dir can forge tokens and read secrets. ' +
        'Set OTPLEDGER_MASTER_KEY, OTPLEDGER_HMAC_KEY and OTPLEDGER_SIGNING_KEY (or their _FILE variants) in production.',
    );
  }
  const previous = readSecretFromEnv(env, 'OTPLEDGER_PREVIOUS_MASTER_KEYS');
  const previousMasterKeys = (previous ?? '').split(/[\s,]+/).filter(Boolean)
    .map((base64) => decodeKey('OTPLEDGER_PREVIOUS_MASTER_KEYS', base64))
    .map((key) => ({ id: keyId(key), key }));
  return { masterKey, masterKeyId: keyId(masterKey), previousMasterKeys, hmacKey, signingKey };
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

async function generateSigningJwk(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' });
}

async function importSigningKey(text: string): Promise<SigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new ConfigError('OTPLEDGER_SIGNING_KEY must be a JSON Web Key (JSON)');
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d || !jwk.x || !jwk.y) {
    throw new ConfigError('OTPLEDGER_SIGNING_KEY must be a private EC P-256 JWK (kty "EC", crv "P-256", with "d")');
  }
  const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey;
  } catch (error) {
    throw new ConfigError(`OTPLEDGER_SIGNING_KEY cannot be imported: ${(error as Error).message}`);
  }
  return { kid, alg: 'ES256', privateKey, privateJwk: { ...jwk, kid, alg: 'ES256' }, publicJwk };
}
