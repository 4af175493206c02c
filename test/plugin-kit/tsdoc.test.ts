import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

const dist = new URL('../../packages/plugin-kit/dist/', import.meta.url);

describe('plugin kit: TSDoc', () => {
  it('gives every export of the published type declarations a comment with an @example', () => {
    const missing: string[] = [];
    let exports = 0;
    for (const file of readdirSync(dist).filter((name) => name.endsWith('.d.ts'))) {
      const text = readFileSync(new URL(file, dist), 'utf8');
      // a declaration, and the comment right above it (if any)
      for (const match of text.matchAll(
        /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?^export (?:declare )?(?:abstract )?(?:function|const|class|interface|type) (\w+)/gm,
      )) {
        exports++;
        if (!match[1]?.includes('@example')) missing.push(`${file}: ${match[2]}`);
      }
    }
    expect(exports).to.be.above(30);
    expect(missing).to.deep.equal([]);
  });
});
