import { expect } from 'chai';
import { headerValueText, messageText, oneLineText } from '@otpledger/plugin-kit';
import { compileConfigSchema, ConfigValidationError } from '@otpledger/plugin-kit/testing';
import { compileSchema } from '../../core/validation/compileSchema.js';
import { SchemaValidationError } from '../../core/validation/schemaValidationError.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    message: { type: 'string', ...messageText },
    line: { type: 'string', ...oneLineText },
    header: { type: 'string', ...headerValueText },
  },
} as const;
const kitParse = compileConfigSchema(schema);
const serverParse = compileSchema(schema);

/** The problems the kit and the server name for `value`, which must be the same. */
function problems(value: Record<string, string>): readonly string[] {
  const seen = [kitParse, serverParse].map((parse) => {
    try {
      parse(value);
      return [];
    } catch (error) {
      if (error instanceof ConfigValidationError) return error.problems;
      if (error instanceof SchemaValidationError) return error.problems;
      throw error;
    }
  });
  expect(seen[0], 'the kit and the server word it alike').to.deep.equal(seen[1]);
  return seen[0]!;
}

describe('plugin kit: text fields (messageText, oneLineText, headerValueText), alike in the kit and the server', () => {
  it('lets a message break lines (tab, LF, CR) and hold any text, and refuses every other control character', () => {
    expect(problems({ message: 'Your code: 123456\r\n\tAcme — Café 🚀 ✓ \u2028' })).to.deep.equal([]);
    for (const bad of ['\u0000', '\u0008', '\u000B', '\u000C', '\u000E', '\u001B[2J', '\u001F', '\u007F', '\u0085', '\u009B31m']) {
      expect(problems({ message: `a${bad}b` }), JSON.stringify(bad)).to.deep.equal([
        '/message must not contain control characters other than tab and line breaks',
      ]);
    }
  });

  it('holds a one-line value to one line: no control character, no Unicode line or paragraph separator', () => {
    expect(problems({ line: 'Acme Bank — ✓ +1 555 0100' })).to.deep.equal([]);
    for (const bad of ['\t', '\n', '\r', '\u0000', '\u001B', '\u007F', '\u0080', '\u009F', '\u2028', '\u2029']) {
      expect(problems({ line: `a${bad}b` }), JSON.stringify(bad)).to.deep.equal(['/line must not contain control characters']);
    }
  });

  it('holds a header value to printable ASCII, spaces only inside', () => {
    expect(problems({ header: 'abcd1234-0fae-4ce6-97c4-ca9ad4123b0d' })).to.deep.equal([]);
    expect(problems({ header: '!#$%&*+-.^_`|~=/:;<>?@[]{} key with spaces' })).to.deep.equal([]);
    for (const bad of [' k', 'k ', 'k\tk', 'k\r\nX: 1', 'k\u0000', 'k\u007F', 'clé', 'ключ']) {
      expect(problems({ header: bad }), JSON.stringify(bad)).to.deep.equal([
        '/header must be printable ASCII without leading or trailing spaces (it is sent in an HTTP header)',
      ]);
    }
  });
});
