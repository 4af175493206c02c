/**
 * The key store port: where per-subject data keys live, outside the event log, in a store that can
 * really forget. Every otpledger process that shares an event store must share one key store (a key
 * created by one process seals what every other one reads). Adapters: SQLite (`sqliteKeyStore.ts`, a
 * file of its own beside the event store); PostgreSQL in the event store's database. Each passes
 * `test/contracts/keyStore.contract.ts`.
 *
 * A subject is a data subject's pseudonymous id (`user-<tenant>-<userId>`, `phone-<tenant>-<phoneHash>`,
 * see `subjects.ts`). Keys are stored wrapped (sealed under the master key), never in clear.
 */
export interface SubjectKeyRecord {
  /** Random; named in every value the key sealed. A subject that gets a new key gets a new id. */
  keyId: string;
  subject: string;
  /** The data key sealed with the master key (`SecretBox`, `enc:v1:<masterKeyId>:...`). */
  wrapped: string;
  createdAt: Date;
}

export interface KeyLookup {
  /** Keys found, by id. */
  keys: Map<string, SubjectKeyRecord>;
  /** Ids of keys this store destroyed (erasure, retention): their values read as `[erased]`. */
  destroyed: Set<string>;
}

export interface KeyStore {
  /**
   * The subject's key; when it has none, `create()` makes one, which is stored (durably, before this
   * resolves) and returned. Concurrent callers, in this process or another, all get the same key.
   */
  getOrCreate(subject: string, create: () => SubjectKeyRecord): Promise<SubjectKeyRecord>;
  /** Looks keys up by id. An id neither found nor destroyed was never in this store. */
  lookup(keyIds: readonly string[]): Promise<KeyLookup>;
  /**
   * Destroys every key of these subjects so that no copy of it remains in the store's files (for
   * SQLite: `secure_delete` and a WAL checkpoint), keeping only the ids as tombstones. Returns the ids
   * destroyed; destroying a subject without keys does nothing.
   */
  destroy(subjects: readonly string[]): Promise<string[]>;
  /** Replaces wrapped keys (a rewrap after a master key rotation): `keyId -> wrapped`. */
  rewrap(updates: ReadonlyMap<string, string>): Promise<void>;
  /** Every key, in pages of `limit` after key id `after` (''), ordered by key id. */
  list(after: string, limit: number): Promise<SubjectKeyRecord[]>;
  close(): Promise<void>;
}
