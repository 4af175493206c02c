import fs from 'node:fs';
import path from 'node:path';

/** Every file under a data dir but the development outbox and the keys (`secrets/`), as bytes. */
export function dataDirFiles(dir: string): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'secrets') walk(full);
      } else if (entry.name !== 'sms-outbox.ndjson') out.push({ file: path.relative(dir, full), bytes: fs.readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

/** The files of the data dir (as `dataDirFiles`) that hold any of the needles, byte for byte. */
export function filesHolding(dir: string, needles: readonly string[]): string[] {
  return dataDirFiles(dir)
    .filter(({ bytes }) => needles.some((needle) => bytes.includes(needle)))
    .map(({ file }) => file);
}

/** The read-model file and its WAL: where a projection could keep a copy of what the log holds. */
export function readModelFiles(dir: string): { file: string; bytes: Buffer }[] {
  return dataDirFiles(dir).filter(({ file }) => file.startsWith('readmodels.db'));
}
