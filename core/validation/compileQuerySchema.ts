import type { JSONSchema } from 'json-schema-to-ts';
import { compileSchema } from './compileSchema.js';
import { QueryValidationError, SchemaValidationError } from './schemaValidationError.js';

/** What a query parameter's schema says its text is read as. */
type ParameterType = 'integer' | 'number' | 'boolean' | 'array' | 'string';

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * `compileSchema` for a query string (`ctx.query`), where every value is text and a repeated key a list. The schema
 * is an object schema with one property per parameter, the same value the route's OpenAPI description gives
 * (`request.query`), so what is described is what is checked. Before the schema sees them, the parameters it names
 * are read from their text, strictly: an `integer` is decimal digits (a safe integer; no `0x10`, `1e3` or `Infinity`),
 * a `number` a plain decimal, a `boolean` `true` or `false`, an `array` one value or many; any other parameter given
 * twice is refused ("must be given once"). Parameters the schema does not name are left out of the result. A
 * problem names the parameter (`limit must be ...`, `kind is required`), in a `QueryValidationError`; a property's
 * `errorMessage` (ajv-errors) words it for the route.
 *
 * @example
 * const parsePageQuery = compileQuerySchema<FromSchema<typeof pageQuery>>(pageQuery);
 * const { limit, after } = parsePageQuery(ctx.query); // limit a number, its default filled in
 */
export function compileQuerySchema<T>(schema: JSONSchema): (query: unknown) => T {
  const validate = compileSchema<T>(schema);
  const parameters = parameterTypes(schema);
  return (query: unknown): T => {
    const { values, repeated } = readParameters(query, parameters);
    const givenTwice = repeated.map((name) => `/${name} must be given once`);
    try {
      const parsed = validate(values);
      if (givenTwice.length === 0) return parsed;
    } catch (error) {
      if (!(error instanceof SchemaValidationError)) throw error;
      // a repeated parameter was left out of the values: it is "given once", not also "required"
      const others = error.problems.filter((problem) => !repeated.some((name) => problem.startsWith(`/${name} `)));
      throw new QueryValidationError([...givenTwice, ...others]);
    }
    throw new QueryValidationError(givenTwice);
  };
}

function parameterTypes(schema: JSONSchema): Map<string, ParameterType> {
  const properties = (typeof schema === 'object' && schema.properties) || {};
  return new Map(
    Object.entries(properties).map(([name, property]) => {
      const type = typeof property === 'object' ? property.type : undefined;
      return [name, typeof type === 'string' && type !== 'null' && type !== 'object' ? (type as ParameterType) : 'string'];
    }),
  );
}

function readParameters(query: unknown, parameters: Map<string, ParameterType>): { values: Record<string, unknown>; repeated: string[] } {
  const given = (query ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  const repeated: string[] = [];
  for (const [name, type] of parameters) {
    if (!Object.hasOwn(given, name) || given[name] === undefined) continue;
    const value = given[name];
    if (type === 'array') values[name] = Array.isArray(value) ? value : [value];
    else if (Array.isArray(value)) repeated.push(name);
    else values[name] = typeof value === 'string' ? fromText(value, type) : value;
  }
  return { values, repeated };
}

/** The text as the schema's type, or the text itself when it is not one (the schema then names the problem). */
function fromText(text: string, type: ParameterType): unknown {
  switch (type) {
    case 'integer': {
      const value = INTEGER.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(value) ? value : text;
    }
    case 'number':
      return NUMBER.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    default:
      return text;
  }
}
