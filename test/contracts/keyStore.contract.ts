import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyStore, SubjectKeyRecord } from '../../core/privacy/keyStore.js';

export interface KeyStoreFixture {
  /** A store for one test (fresh, or shared: tests use unique subjects). */
  open(): KeyStore | Promise<KeyStore>;
  /** A second connection to the same storage (another process would use), when the adapter has one. */
  openAnother?(): KeyStore | Promise<KeyStore>;
  /**
   * Every byte the store has persisted (its files, its data directory) for the proof that a deletion is
   * real; absent when the storage cannot be read from here (then that test is skipped).
   */
  persistedBytes?(): Buffer[] | Promise<Buffer[]>;
}

const candidate = (subject: string): SubjectKeyRecord => ({
  keyId: randomBytes(16).toString('base64url'),
  subject,
  // a wrapped key looks like this; its bytes are what the deletion test searches for
  wrapped: `enc:v1:master:${randomBytes(12).toString('base64url')}:${randomBytes(16).toString('base64url')}:${randomBytes(44).toString('base64url')}`,
  createdAt: new Date('2026-11-22T10:00:00Z'),
});

/**
 * The behaviour every key store adapter must have (SQLite here; PostgreSQL beside its event store):
 * `keyStoreContract('sqlite', { open: () => SqliteKeyStore.open(file), ... })`.
 */
export function keyStoreContract(name: string, fixture: KeyStoreFixture): void {
  describe(`key store contract: ${name}`, function () {
    this.timeout(30_000);
    let store: KeyStore;
    let prefix: string;
    const subject = (label: string) => `${prefix}${label}`;
    beforeEach(async () => {
      prefix = `user-t${randomUUID().slice(0, 8)}-`;
      store = await fixture.open();
    });
    afterEach(() => store.close());

    it('keeps the first key of a subject: later candidates get it back', async () => {
      const first = candidate(subject('a'));
      expect(await store.getOrCreate(subject('a'), () => first)).to.deep.equal(first);
      const again = await store.getOrCreate(subject('a'), () => candidate(subject('a')));
      expect(again).to.deep.equal(first);
      expect((await store.getOrCreate(subject('b'), () => candidate(subject('b')))).keyId).to.not.equal(first.keyId);
    });

    it('gives concurrent creators of one subject the same key', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.getOrCreate(subject('race'), () => candidate(subject('race')))),
      );
      expect(new Set(results.map((r) => r.keyId)).size).to.equal(1);
      if (!fixture.openAnother) return;
      const other = await fixture.openAnother();
      try {
        const both = await Promise.all([
          store.getOrCreate(subject('two'), () => candidate(subject('two'))),
          other.getOrCreate(subject('two'), () => candidate(subject('two'))),
        ]);
        expect(both[0].keyId).to.equal(both[1].keyId);
      } finally {
        await other.close();
      }
    });

    it('looks keys up by id, and tells destroyed ids from ids it never held', async () => {
      const kept = await store.getOrCreate(subject('kept'), () => candidate(subject('kept')));
      const gone = await store.getOrCreate(subject('gone'), () => candidate(subject('gone')));
      expect(await store.destroy([subject('gone')])).to.deep.equal([gone.keyId]);
      const found = await store.lookup([kept.keyId, gone.keyId, 'never-there']);
      expect([...found.keys.keys()]).to.deep.equal([kept.keyId]);
      expect(found.keys.get(kept.keyId)).to.deep.equal(kept);
      expect([...found.destroyed]).to.deep.equal([gone.keyId]);
    });

    it('destroys only the subjects named, once; a destroyed subject gets a new key id when it comes back', async () => {
      const a = await store.getOrCreate(subject('a'), () => candidate(subject('a')));
      const b = await store.getOrCreate(subject('b'), () => candidate(subject('b')));
      expect(await store.destroy([subject('a'), subject('nobody')])).to.deep.equal([a.keyId]);
      expect(await store.destroy([subject('a')])).to.deep.equal([]);
      expect((await store.lookup([b.keyId])).keys.has(b.keyId)).to.equal(true);
      const back = await store.getOrCreate(subject('a'), () => candidate(subject('a')));
      expect(back.keyId).to.not.equal(a.keyId);
      expect((await store.lookup([a.keyId])).destroyed.has(a.keyId)).to.equal(true);
    });

    it('sees keys and deletions made through another connection at once', async function () {
      if (!fixture.openAnother) this.skip();
      const other = await fixture.openAnother!();
      try {
        const key = await other.getOrCreate(subject('shared'), () => candidate(subject('shared')));
        expect((await store.lookup([key.keyId])).keys.has(key.keyId)).to.equal(true);
        await store.destroy([subject('shared')]);
        expect((await other.lookup([key.keyId])).keys.size).to.equal(0);
      } finally {
        await other.close();
      }
    });

    it('really forgets: after a deletion no persisted byte holds the wrapped key', async function () {
      if (!fixture.persistedBytes) this.skip();
      const doomed = await store.getOrCreate(subject('doomed'), () => candidate(subject('doomed')));
      const kept = await store.getOrCreate(subject('kept'), () => candidate(subject('kept')));
      const holds = async (value: string) => (await fixture.persistedBytes!()).some((bytes) => bytes.includes(value));
      // the search can fail: both keys are on disk (database or WAL) before the deletion
      expect(await holds(doomed.wrapped)).to.equal(true);
      expect(await holds(kept.wrapped)).to.equal(true);
      await store.destroy([subject('doomed')]);
      expect(await holds(doomed.wrapped)).to.equal(false);
      expect(await holds(doomed.subject)).to.equal(false);
      expect(await holds(kept.wrapped)).to.equal(true);
    });

    it('rewraps keys in place and leaves no copy of the old wrapping', async function () {
      const key = await store.getOrCreate(subject('rotated'), () => candidate(subject('rotated')));
      const rewrapped = candidate(subject('rotated')).wrapped;
      await store.rewrap(new Map([[key.keyId, rewrapped]]));
      expect((await store.lookup([key.keyId])).keys.get(key.keyId)?.wrapped).to.equal(rewrapped);
      if (!fixture.persistedBytes) return;
      const bytes = await fixture.persistedBytes();
      expect(bytes.some((b) => b.includes(key.wrapped))).to.equal(false);
    });

    it('lists every key in pages ordered by key id', async () => {
      const made = await Promise.all(['p1', 'p2', 'p3'].map((label) => store.getOrCreate(subject(label), () => candidate(subject(label)))));
      const seen: string[] = [];
      for (let after = ''; ;) {
        const page = await store.list(after, 2);
        seen.push(...page.map((record) => record.keyId));
        if (page.length < 2) break;
        after = page[page.length - 1]!.keyId;
      }
      expect(seen).to.include.members(made.map((m) => m.keyId));
      expect([...seen].sort()).to.deep.equal(seen);
    });
  });
}
