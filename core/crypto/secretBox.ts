import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One AES-256 key and the id that names it in what it sealed. */
export interface BoxKey {
  id: string;
  key: Buffer;
}

/** A sealed value: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>`, the last three base64url. */
const SEALED = /^enc:v1:([^:]+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]*)$/;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/**
 * AES-256-GCM for secrets that must be stored (provider API keys in events). Each value gets a random
 * 96-bit IV and carries the id of the key that sealed it, so a rotated master key still opens old data
 * as long as the old key is listed. `context` is bound as associated data: a sealed value moved to another
 * tenant or field fails to open instead of being quietly accepted.
 *
 * @example
 * const box = new SecretBox({ id: secrets.masterKeyId, key: secrets.masterKey });
 * const sealed = box.seal('sk_live_123', 'tenantsms-acme/api_key'); // 'enc:v1:<keyId>:...'
 * box.open(sealed, 'tenantsms-acme/api_key'); // 'sk_live_123'
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();

  /** `current` seals; `previous` keys only open (rotation). */
  constructor(
    private readonly current: BoxKey,
    previous: readonly BoxKey[] = [],
  ) {
    for (const { id, key } of [current, ...previous]) {
      if (key.length !== 32) throw new SecretBoxError(`key ${id} must be 32 bytes`);
      if (id.includes(':')) throw new SecretBoxError(`key id ${id} must not contain ':'`);
      if (!this.keys.has(id)) this.keys.set(id, key);
    }
  }

  /** The id of the key that seals (rotation checks what is still sealed with an older one). */
  get currentKeyId(): string {
    return this.current.id;
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && SEALED.test(value);
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['enc', 'v1', this.current.id, iv, cipher.getAuthTag(), data]
      .map((part) => (Buffer.isBuffer(part) ? part.toString('base64url') : part))
      .join(':');
  }

  /** Throws `SecretBoxError` for a malformed value, an unknown key id, or any tampering. */
  open(sealed: string, context = ''): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new SecretBoxError('not a sealed value');
    const [, keyId, iv, tag, data] = match as unknown as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(`sealed with unknown key ${keyId}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`sealed value failed authentication (key ${keyId})`);
    }
  }
}
