import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The code blocks of a Markdown page that are marked `<!-- file: path -->` on the line before the fence,
 * by path: the files a guide tells its reader to write, so a test can write exactly those.
 */
export function docFiles(markdownFile: string): Map<string, string> {
  const text = readFileSync(markdownFile, 'utf8');
  const files = new Map<string, string>();
  for (const match of text.matchAll(/^<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm)) files.set(match[1]!, match[2]!);
  return files;
}

/** Writes `files` (relative paths) under `dir`. */
export function writeFiles(dir: string, files: Map<string, string>): void {
  for (const [name, content] of files) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}
