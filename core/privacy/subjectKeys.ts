import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { SecretBox } from '../crypto/secretBox.js';
import { BoundedCache } from '../support/boundedCache.js';
import type { KeyStore } from './keyStore.js';
import { openValue } from './sealedValue.js';

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
    super(
      `personal data sealed with key ${keyId}, which the key store never held: do all otpledger processes share one key store (keyStore.url)?`,
    );
  }
}

const wrapContext = (keyId: string, subject: string) => `subject-key/${keyId}/${subject}`;

/**
 * Per-subject data keys: random AES-256 keys, wrapped by the master key (`OTPLEDGER_MASTER_KEY`, with
 * `OTPLEDGER_PREVIOUS_MASTER_KEYS` opening keys wrapped before a rotation) and kept in the key store.
 * Every call asks the key store, so a key destroyed by another process is gone for this one at once, and
 * no process seals new data with a key an erasure has just destroyed. Only the unwrapping is remembered
 * (by the wrapped value, which a rewrap changes) and the opening of sealed values (by the sealed value), and
 * each is used only for a key the store has just answered with: a cache never outlives a key's destruction.
 */
export class SubjectKeys {
  private readonly master: SecretBox;
  private readonly unwrapped = new BoundedCache<string, Buffer>(10_000);
  /** Sealed value -> its plaintext JSON: a user's profile is read again and again, each AES-GCM open costs ~10 µs. */
  private readonly opened = new BoundedCache<string, string>(20_000);

  constructor(
    private readonly store: KeyStore,
    secrets: { masterKey: Buffer; masterKeyId: string; previousMasterKeys: readonly { id: string; key: Buffer }[] },
    private readonly clock: Clock,
  ) {
    this.master = new SecretBox({ id: secrets.masterKeyId, key: secrets.masterKey }, secrets.previousMasterKeys);
  }

  /** The subject's key, created on first use. */
  async keyFor(subject: string): Promise<DataKey> {
    const record = await this.store.getOrCreate(subject, () => {
      const keyId = randomBytes(16).toString('base64url');
      return {
        keyId,
        subject,
        wrapped: this.master.seal(randomBytes(32).toString('base64'), wrapContext(keyId, subject)),
        createdAt: this.clock.now(),
      };
    });
    return { keyId: record.keyId, key: this.unwrap(record.keyId, record.subject, record.wrapped) };
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

  /** A value sealed with `keyId`, whose `key` the store has just answered with (from `open`). */
  openSealed(keyId: string, key: Buffer, sealed: string): unknown {
    const json = this.opened.getOrCompute(sealed, () => JSON.stringify(openValue(keyId, key, sealed)));
    return JSON.parse(json) as unknown;
  }

  /** Destroys the subjects' keys for good (see `KeyStore.destroy`); returns the key ids destroyed. */
  async destroy(subjects: readonly string[]): Promise<string[]> {
    const destroyed = await this.store.destroy(subjects);
    if (destroyed.length > 0) {
      // not needed for correctness (the store is asked first), but no reason to keep them in memory
      this.unwrapped.clear();
      this.opened.clear();
    }
    return destroyed;
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
    return this.unwrapped.getOrCompute(`${keyId}\u0000${subject}\u0000${wrapped}`, () =>
      Buffer.from(this.master.open(wrapped, wrapContext(keyId, subject)), 'base64'),
    );
  }
}
