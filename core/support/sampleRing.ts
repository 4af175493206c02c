/** The last `size` values, for drawing one of the recent ones at random. */
export class SampleRing<T> {
  private readonly values: T[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  add(value: T): void {
    if (this.values.length < this.size) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }

  /** One of the recent values, uniformly; undefined while there are none. */
  draw(random: () => number = Math.random): T | undefined {
    return this.values.length === 0 ? undefined : this.values[Math.floor(random() * this.values.length)];
  }

  get length(): number {
    return this.values.length;
  }
}
