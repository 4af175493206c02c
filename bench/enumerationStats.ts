import { percentile } from './httpLoad.js';

/** P(a value of `a` is greater than one of `b`), ties counting half: the Mann-Whitney U statistic over n·m. */
export function probabilityGreater(a: readonly number[], b: readonly number[]): number {
  const sorted = [...b].sort((x, y) => x - y);
  let wins = 0;
  for (const value of a) {
    let equal = 0;
    // binary search for the values of b below and equal to `value`
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    const below = lo;
    while (lo + equal < sorted.length && sorted[lo + equal] === value) equal++;
    wins += below + equal / 2;
  }
  return wins / (a.length * b.length);
}

export function summary(values: readonly number[]): { p50: number; p90: number } {
  const sorted = [...values].sort((x, y) => x - y);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90) };
}
