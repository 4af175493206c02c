import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { SecretBox } from '../crypto/secretBox.js';
import type { KeyStore } from './keyStore.js';

/** A subject's data key, unwrapped, for sealing. */
export interface DataKey {
  keyId: string;
  key: Buffer;
}

export interface OpenKeys {
  keys: Map<string, Buffer>;
  /** Keys destroyed by an erasure: what they sealed is gone. */
  destroyed: Set<string>;
}

/** A value sealed with a key this key store never held: the wrong key store, or a lost one. Never "erased". */
export class SubjectKeyMissingError extends Error {
  override readonly name = 'SubjectKeyMissingError';
  constructor(keyId: string) {
    super(`personal data sealed with key ${keyId}, which the key store never held: do all otpledger processes share one key store (keyStore.url)?`);
  }
}

const wrapContext = (keyId: string, subject: string) => `subject-key/${keyId}/${subject}`;

/**
 * Per-subject data keys: random AES-256 keys, wrapped by the master key (`OTPLEDGER_MASTER_KEY`, with
 * `OTPLEDGER_PREVIOUS_MASTER_KEYS` opening keys wrapped before a rotation) and kept in the key store.
 * Nothing is cached between calls: a key destroyed by another process is gone for this one at once,
 * and no process seals new data with a key that an erasure has just destroyed.
 */
export class SubjectKeys {
  private readonly master: SecretBox;

  constructor(
    private readonly store: KeyStore,
    secrets: { masterKey: Buffer; masterKeyId: string; previousMasterKeys: readonly { id: string; key: Buffer }[] },
    private readonly clock: Clock,
  ) {
    this.master = new SecretBox({ id: secrets.masterKeyId, key: secrets.masterKey }, secrets.previousMasterKeys);
  }

  /** The subject's key, created on first use. */
  async keyFor(subject: string): Promise<DataKey> {
    const keyId = randomBytes(16).toString('base64url');
    const key = randomBytes(32);
    const record = await this.store.getOrCreate({
      keyId, subject, wrapped: this.master.seal(key.toString('base64'), wrapContext(keyId, subject)), createdAt: this.clock.now(),
    });
    return record.keyId === keyId ? { keyId, key } : { keyId: record.keyId, key: this.unwrap(record.keyId, record.subject, record.wrapped) };
  }

  /** Unwrapped keys by id; `SubjectKeyMissingError` for an id the store never held. */
  async open(keyIds: Iterable<string>): Promise<OpenKeys> {
    const wanted = [...new Set(keyIds)];
    if (wanted.length === 0) return { keys: new Map(), destroyed: new Set() };
    const found = await this.store.lookup(wanted);
    const keys = new Map<string, Buffer>();
    for (const keyId of wanted) {
      const record = found.keys.get(keyId);
      if (record) keys.set(keyId, this.unwrap(keyId, record.subject, record.wrapped));
      else if (!found.destroyed.has(keyId)) throw new SubjectKeyMissingError(keyId);
    }
    return { keys, destroyed: found.destroyed };
  }

  /** Destroys the subjects' keys for good (see `KeyStore.destroy`); returns the key ids destroyed. */
  destroy(subjects: readonly string[]): Promise<string[]> {
    return this.store.destroy(subjects);
  }

  /** Wraps every key again under the current master key, so a retired one can be dropped. Returns how many changed. */
  async rewrapAll(): Promise<number> {
    let after = '';
    let changed = 0;
    for (;;) {
      const page = await this.store.list(after, 500);
      const updates = new Map<string, string>();
      for (const record of page) {
        if (record.wrapped.startsWith(`enc:v1:${this.master.currentKeyId}:`)) continue;
        const key = this.unwrap(record.keyId, record.subject, record.wrapped);
        updates.set(record.keyId, this.master.seal(key.toString('base64'), wrapContext(record.keyId, record.subject)));
      }
      if (updates.size > 0) await this.store.rewrap(updates);
      changed += updates.size;
      if (page.length < 500) return changed;
      after = page[page.length - 1]!.keyId;
    }
  }

  private unwrap(keyId: string, subject: string, wrapped: string): Buffer {
    return Buffer.from(this.master.open(wrapped, wrapContext(keyId, subject)), 'base64');
  }
}
