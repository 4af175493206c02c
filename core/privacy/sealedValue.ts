import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A personal value sealed with its subject's data key (AES-256-GCM):
 * `pii:v1:<keyId>:<iv>:<tag>:<ciphertext>`, the last three base64url. The plaintext is the value's JSON,
 * so any JSON value (a string, an object) seals. The header (`pii:v1:<keyId>`) is bound as associated
 * data, so a value cannot be passed off as sealed by another key.
 *
 * Distinct from `SecretBox`'s `enc:v1:` (provider secrets under the master key): those are never shown;
 * these are shown opened to those allowed to see them, or as `[erased]` once their key is destroyed.
 */
const SEALED = /^pii:v1:([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;
const PREFIX = 'pii:v1:';

/** What a personal value reads as once its key is destroyed: the event is still there, the value is not. */
export const ERASED = '[erased]';

export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';
}

export function isSealedValue(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX) && SEALED.test(value);
}

/** The id of the key that sealed a value (undefined for anything not sealed). */
export function sealedKeyId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) return undefined;
  return SEALED.exec(value)?.[1];
}

export function sealValue(keyId: string, key: Buffer, value: unknown): string {
  const header = `${PREFIX}${keyId}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(header));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${header}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${data.toString('base64url')}`;
}

/** Throws `SealedValueError` for a malformed value, a value of another key, or any tampering. */
export function openValue(keyId: string, key: Buffer, sealed: string): unknown {
  const match = SEALED.exec(sealed);
  if (!match || match[1] !== keyId) throw new SealedValueError('not a value sealed with this key');
  const [, , iv, tag, data] = match as unknown as [string, string, string, string, string];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${PREFIX}${keyId}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')) as unknown;
  } catch {
    throw new SealedValueError(`sealed value failed authentication (key ${keyId})`);
  }
}
