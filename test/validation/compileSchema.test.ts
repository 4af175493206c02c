import { expect } from 'chai';
import { compileSchema } from '../../core/validation/compileSchema.js';
import { MAX_NESTING_DEPTH } from '../../core/validation/nestingDepth.js';
import { SchemaValidationError } from '../../core/validation/schemaValidationError.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    port: { type: 'integer', default: 8080 },
    role: { type: 'string', enum: ['app', 'management'] },
    nested: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { flag: { type: 'boolean', default: false }, url: { type: 'string', format: 'uri' } },
    },
  },
} as const;

interface Value {
  name: string;
  port: number;
  role?: string;
  nested: { flag: boolean; url?: string };
}

const validate = compileSchema<Value>(schema);

function problemsOf(value: unknown): readonly string[] {
  try {
    validate(value);
  } catch (error) {
    expect(error).to.be.instanceOf(SchemaValidationError);
    return (error as SchemaValidationError).problems;
  }
  expect.fail('expected a SchemaValidationError');
}

describe('compileSchema', () => {
  it('applies defaults, nested ones included, to a copy of the input', () => {
    const input = { name: 'x' };
    expect(validate(input)).to.deep.equal({ name: 'x', port: 8080, nested: { flag: false } });
    expect(input).to.deep.equal({ name: 'x' });
  });

  it('lists every problem with its JSON path, in one message', () => {
    const value = { port: 'eighty', role: 'root', extra: 1, nested: { flag: 'yes', url: 'not a uri', more: 2 } };
    const problems = problemsOf(value);
    expect(problems).to.have.members([
      '/name is required',
      '/port must be integer',
      '/role must be one of "app", "management"',
      '/extra is not allowed (unknown key)',
      '/nested/flag must be boolean',
      '/nested/url must match format "uri"',
      '/nested/more is not allowed (unknown key)',
    ]);
    try {
      validate(value);
    } catch (error) {
      expect((error as Error).message).to.equal(problems.join('; '));
    }
  });

  it('does not coerce types: a numeric string is not an integer', () => {
    expect(problemsOf({ name: 'x', port: '8080' })).to.deep.equal(['/port must be integer']);
  });

  it('names the root as / when the value is not even an object', () => {
    expect(problemsOf('text')).to.deep.equal(['/ must be object']);
    expect(problemsOf(undefined)).to.deep.equal(['/ must be object']);
  });
});

describe('compileSchema on values that are not JSON data', () => {
  const parse = compileSchema({ type: 'object', properties: { a: {} } });

  it('refuses nesting deeper than the limit and non-data values, naming the path', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 3000; i++) cursor = (cursor.a = {}) as Record<string, unknown>;
    const problems = (value: unknown) => {
      try {
        parse(value);
      } catch (error) {
        expect(error).to.be.instanceOf(SchemaValidationError);
        return (error as SchemaValidationError).problems;
      }
      return [];
    };
    expect(problems(deep)).to.deep.equal([`${'/a'.repeat(MAX_NESTING_DEPTH)} nests deeper than ${MAX_NESTING_DEPTH} levels`]);
    expect(problems({ a: [Function.prototype, 'x'] })).to.deep.equal(['/a/0 must be JSON data, not a function']);
    expect(problems({ a: new Date(0) })).to.deep.equal(['/a must be a plain JSON object']);
  });

  it('copies a `__proto__` key as a key, never as a prototype', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
    const copy = parse(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).to.equal(Object.prototype);
    expect(Object.keys(copy)).to.deep.equal(['__proto__', 'a']);
    expect(copy.polluted).to.equal(undefined);
  });

  it('copies a key Object.prototype knows as an own field, never through a setter a polluted prototype gained', () => {
    let setterRan = false;
    Object.defineProperty(Object.prototype, 'sneaky', { set: () => void (setterRan = true), configurable: true });
    try {
      const copy = parse(JSON.parse('{"sneaky":"x","toString":"y"}') as object) as Record<string, unknown>;
      expect(setterRan).to.equal(false);
      expect(Object.getOwnPropertyDescriptor(copy, 'sneaky')).to.include({ value: 'x', enumerable: true });
      expect(Object.getOwnPropertyDescriptor(copy, 'toString')).to.include({ value: 'y', enumerable: true });
    } finally {
      delete (Object.prototype as Record<string, unknown>).sneaky;
    }
  });
});
