import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary directory for one benchmark run. */
export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `otpledger-bench-${label}-`));
}

export function rate(count: number, ms: number): number {
  return (count * 1000) / ms;
}

/** The middle value (the upper one of an even count): robust to the one-off spikes of a noisy machine. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/**
 * The one closing line every benchmark prints, so results compare run to run:
 * `<bench name> ratio=<measured> target=<target>`. Exits non-zero below target only when asked.
 */
export function printVerdict(name: string, ratio: number, target: number): void {
  console.log(`${name} ratio=${ratio.toFixed(3)} target=${target}`);
}
