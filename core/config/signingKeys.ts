import { createPrivateKey, createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigError } from './configError.js';

export type SigningAlg = 'ES256' | 'RS256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256'];

/** One key that signs tokens; `publicJwk` is what the JWKS endpoints serve. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  /** A node:crypto key: `crypto.sign` with it costs less than half of the WebCrypto path. */
  privateKey: KeyObject;
  publicJwk: JWK;
}

const NAME = 'OTPLEDGER_SIGNING_KEY';
const MIN_RSA_BITS = 2048;

/**
 * `OTPLEDGER_SIGNING_KEY` holds one private JWK, an array of them, or a JWK Set (`{ "keys": [...] }`): EC P-256
 * keys sign ES256, RSA keys (2048 bits or more) RS256. Every key is served in the JWKS under its `kid` (the JWK
 * thumbprint when none is given); the first key of each algorithm signs, the others only verify (rotation).
 */
export async function parseSigningKeys(text: string, source = NAME): Promise<SigningKey[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} must be a JSON Web Key, an array of them or a JWK Set (JSON)`);
  }
  const jwks = Array.isArray(parsed) ? parsed : isKeySet(parsed) ? parsed.keys : [parsed];
  if (jwks.length === 0) throw new ConfigError(`${source} holds no key`);
  const keys = await Promise.all(jwks.map((jwk, index) => importSigningKey(jwk, jwks.length > 1 ? `${source} key ${index}` : source)));
  const kids = new Set<string>();
  for (const { kid } of keys) {
    if (kids.has(kid)) throw new ConfigError(`${source}: two keys have the kid "${kid}"`);
    kids.add(kid);
  }
  return keys;
}

function isKeySet(value: unknown): value is { keys: unknown[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

async function importSigningKey(value: unknown, source: string): Promise<SigningKey> {
  const jwk = (typeof value === 'object' && value !== null ? value : {}) as JWK;
  const alg = algOf(jwk, source);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new ConfigError(`${source}: a ${jwk.kty} key signs ${alg}, not ${jwk.alg}`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw new ConfigError(`${source} cannot be imported: ${(error as Error).message}`);
  }
  if (alg === 'RS256' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new ConfigError(`${source}: an RSA key must have at least ${MIN_RSA_BITS} bits`);
  }
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(exported));
  return { kid, alg, privateKey, publicJwk: { ...exported, kid, alg, use: 'sig' } };
}

function algOf(jwk: JWK, source: string): SigningAlg {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.d) return 'ES256';
  if (jwk.kty === 'RSA' && jwk.d) return 'RS256';
  throw new ConfigError(
    `${source} must be a private EC P-256 JWK (kty "EC", crv "P-256", with "d") or a private RSA JWK (kty "RSA", with "d")`,
  );
}

const generate = promisify(generateKeyPair);

/** A new private JWK for a development key file: EC P-256 or RSA 2048, with its thumbprint as `kid`. */
export async function generateSigningJwk(alg: SigningAlg): Promise<string> {
  const { privateKey } =
    alg === 'ES256' ? await generate('ec', { namedCurve: 'P-256' }) : await generate('rsa', { modulusLength: MIN_RSA_BITS });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  return JSON.stringify({ ...jwk, kid: await calculateJwkThumbprint(publicJwk), alg, use: 'sig' });
}
