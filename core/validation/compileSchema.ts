import { Ajv, type ErrorObject } from 'ajv';
import ajvErrorsModule from 'ajv-errors';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { JSONSchema } from 'json-schema-to-ts';
import { NotPlainDataError, plainCopy } from './plainData.js';
import { SchemaValidationError } from './schemaValidationError.js';

// ajv-formats and ajv-errors are CommonJS; under NodeNext their default exports arrive as `.default`.
const addFormats = addFormatsModule.default;
const addErrorMessages = ajvErrorsModule.default;

/**
 * The one ajv instance of the process: every schema (config, route bodies and queries, plugin configs) is checked
 * the same way. `allErrors` so a caller learns every problem at once, `useDefaults` so schemas carry their
 * defaults, and no type coercion: `"8080"` is not a port. A schema may word a property's problem itself with
 * `errorMessage` (ajv-errors): `{ type: 'integer', minimum: 1, maximum: 500, errorMessage: 'must be a whole number from 1 to 500' }`.
 */
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: true });
addFormats(ajv);
holdableDateTimes(ajv);
addErrorMessages(ajv);

/**
 * HTML-form bodies (`application/x-www-form-urlencoded`) carry every value as a string, so there `"6"` is the
 * integer 6 and `"true"` the boolean true. Only scalars are coerced: a repeated field (an array) still fails.
 */
const formAjv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true });
addFormats(formAjv);
holdableDateTimes(formAjv);
addErrorMessages(formAjv);

/**
 * `date-time` as RFC 3339 writes it (ajv-formats) and as a JavaScript `Date` can hold it: RFC 3339 allows a leap
 * second (`23:59:60`), which `new Date` turns into an invalid date, so a query `from=2016-12-31T23:59:60Z` passed
 * its schema and failed later as a 500. Such a time is refused with the schema's own message instead.
 */
function holdableDateTimes(instance: Ajv): void {
  const rfc3339 = fullFormats['date-time'] as {
    validate: (value: string) => boolean;
    compare: (a: string, b: string) => number | undefined;
  };
  instance.addFormat('date-time', {
    type: 'string',
    validate: (value: string) => rfc3339.validate(value) && !Number.isNaN(Date.parse(value)),
    compare: rfc3339.compare,
  });
}

/**
 * Compiles a JSON Schema once and returns a function that checks a value against it.
 * The function returns a copy of the value with defaults applied (the input is never mutated), or throws a
 * `SchemaValidationError` listing every problem with its JSON path. The copy holds own data only: a value
 * nested deeper than `MAX_NESTING_DEPTH`, a function or a class instance is refused before ajv sees it.
 *
 * @example
 * const parseBody = compileSchema<FromSchema<typeof bodySchema>>(bodySchema);
 * const body = parseBody(ctx.request.body); // typed, defaults filled in
 */
export function compileSchema<T>(schema: JSONSchema): (value: unknown) => T {
  return compileWith<T>(ajv, schema);
}

/** `compileSchema` for a form body: the schema's integers and booleans are read from their strings. */
export function compileFormSchema<T>(schema: JSONSchema): (value: unknown) => T {
  return compileWith<T>(formAjv, schema);
}

function compileWith<T>(instance: Ajv, schema: JSONSchema): (value: unknown) => T {
  const validate = instance.compile(schema as object);
  return (value: unknown): T => {
    const copy = copyOf(value);
    if (validate(copy)) return copy as T;
    // an `if` that failed is said by its `then`'s own problem (`/id is required`)
    throw new SchemaValidationError((validate.errors ?? []).filter((error) => error.keyword !== 'if').map(describeProblem));
  };
}

function copyOf(value: unknown): unknown {
  try {
    return plainCopy(value);
  } catch (error) {
    if (error instanceof NotPlainDataError) throw new SchemaValidationError([error.message]);
    throw error;
  }
}

/** `/server/port must be integer`, `/foo is not allowed (unknown key)`. */
function describeProblem(error: ErrorObject): string {
  const path = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${joinPath(error.instancePath, String(params.additionalProperty))} is not allowed (unknown key)`;
    case 'required':
      return `${joinPath(error.instancePath, String(params.missingProperty))} is required`;
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

function joinPath(parent: string, key: string): string {
  return `${parent}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
