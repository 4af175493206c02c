import { expect } from 'chai';
import { compileQuerySchema } from '../../core/validation/compileQuerySchema.js';
import { QueryValidationError, SchemaValidationError } from '../../core/validation/schemaValidationError.js';

const schema = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: ['a', 'b'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100, errorMessage: 'must be a whole number from 1 to 500' },
    ratio: { type: 'number' },
    totals: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
  },
} as const;
const parse = compileQuerySchema<Record<string, unknown>>(schema);

/** A query as Koa parses it: a null-prototype object, a repeated key a list. */
const query = (fields: Record<string, string | string[]>) => Object.assign(Object.create(null) as object, fields);

function problemsOf(value: unknown): string {
  try {
    parse(value);
  } catch (error) {
    expect(error).to.be.instanceOf(QueryValidationError).and.instanceOf(SchemaValidationError);
    return (error as Error).message;
  }
  return 'accepted';
}

describe('compileQuerySchema: a query validated by the schema that describes it', () => {
  it('reads each parameter from its text by the type its schema gives, fills in defaults, and leaves out what it does not name', () => {
    expect(parse(query({ kind: 'a', ratio: '0.5', totals: 'false', tags: 'x', toString: 'y', other: '1' }))).to.deep.equal({
      kind: 'a',
      limit: 100,
      ratio: 0.5,
      totals: false,
      tags: ['x'],
    });
    expect(parse(query({ kind: 'b', limit: '500', tags: ['x', 'y'] }))).to.deep.equal({ kind: 'b', limit: 500, tags: ['x', 'y'] });
  });

  it('reads an integer strictly: decimal digits of a safe integer, nothing JavaScript would also take for a number', () => {
    for (const text of ['0x10', '1e2', ' 7', '7 ', '1.0', 'Infinity', '1e999', '', '99999999999999999999']) {
      expect(problemsOf(query({ kind: 'a', limit: text })), text).to.equal('limit must be a whole number from 1 to 500');
    }
    expect(problemsOf(query({ kind: 'a', ratio: '1e3' }))).to.equal('ratio must be number');
    expect(problemsOf(query({ kind: 'a', totals: '1' }))).to.equal('totals must be boolean');
  });

  it('names each bad parameter as the client wrote it; a repeated one is "given once", and not also missing', () => {
    expect(problemsOf(query({}))).to.equal('kind is required');
    expect(problemsOf(query({ kind: 'c', limit: '0' }))).to.equal(
      'kind must be one of "a", "b"; limit must be a whole number from 1 to 500',
    );
    expect(problemsOf(query({ kind: ['a', 'b'], limit: ['1', '2'] }))).to.equal('kind must be given once; limit must be given once');
  });

  it('keeps the JSON paths in problems, for a dialect that words them itself', () => {
    try {
      parse(query({ kind: 'a', limit: '0' }));
      expect.fail('accepted');
    } catch (error) {
      expect((error as QueryValidationError).problems).to.deep.equal(['/limit must be a whole number from 1 to 500']);
    }
  });
});
