import { readFileSync } from 'node:fs';

export interface Walkthrough {
  file: string;
  name: string;
  /** Text the block's output must contain, when the marker names one. */
  expect: string | undefined;
  script: string;
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
}

const marker = /^<!--\s*walkthrough\s+([\w-]+)(?:\s+expect="((?:[^"\\]|\\.)*)")?\s*-->\s*$/;

/**
 * The shell blocks of a Markdown file that are marked as walkthroughs:
 * `<!-- walkthrough <name> [expect="<text>"] -->` on the line before a ```sh fence (blank lines allowed).
 * A marker not followed by a shell block is an error, so a marker cannot silently stop testing anything.
 */
export function walkthroughsOf(file: string): Walkthrough[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: Walkthrough[] = [];
  for (let index = 0; index < lines.length; index++) {
    const match = marker.exec(lines[index]!);
    if (!match) continue;
    let fence = index + 1;
    while (lines[fence]?.trim() === '') fence++;
    if (lines[fence]?.trim() !== '```sh')
      throw new Error(`${file}:${index + 1}: walkthrough ${match[1]} is not followed by a \`\`\`sh block`);
    const end = lines.findIndex((line, at) => at > fence && line.trim() === '```');
    if (end < 0) throw new Error(`${file}:${fence + 1}: the walkthrough block never closes`);
    found.push({
      file,
      name: match[1]!,
      expect: match[2]?.replace(/\\(.)/g, '$1'),
      script: lines.slice(fence + 1, end).join('\n'),
      line: fence + 1,
    });
    index = end;
  }
  return found;
}
