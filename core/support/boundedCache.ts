/**
 * A map that forgets its oldest entries beyond `capacity`: for memoising pure, costly work on the
 * hot path (parsing a phone number, checking a token's signature) without growing without bound.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): V {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The cached value, or `compute(key)` remembered (a thrown error is not remembered). */
  getOrCompute(key: K, compute: (key: K) => V): V {
    const hit = this.entries.get(key);
    return hit !== undefined ? hit : this.set(key, compute(key));
  }
}
