import { Ajv, type ErrorObject } from 'ajv';
import ajvErrorsModule from 'ajv-errors';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './defineSmsProvider.js';

// ajv-formats and ajv-errors are CommonJS; under NodeNext their default exports arrive as `.default`.
const addFormats = addFormatsModule.default;
const addErrorMessages = ajvErrorsModule.default;

// The options otpledger validates tenants' settings with: every problem at once, defaults applied,
// no type coercion, strict schemas (an unknown keyword is an error, not a silent no-op), and a field's own
// `errorMessage` (ajv-errors, as the kit's text pieces carry) in place of ajv's words.
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: true });
addFormats(ajv);
addErrorMessages(ajv);

/**
 * Settings that do not match a plugin's `configSchema`; `problems` lists each with its JSON path.
 *
 * @example
 * try { parse(settings); } catch (error) { if (error instanceof ConfigValidationError) console.error(error.problems); }
 */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  constructor(readonly problems: string[]) {
    super(`invalid settings: ${problems.join('; ')}`);
  }
}

/**
 * Compiles a plugin's `configSchema` the way otpledger does and returns a checker: it returns a copy of the
 * settings with defaults applied, or throws {@link ConfigValidationError} naming every problem.
 *
 * @example
 * const parse = compileConfigSchema(plugin.configSchema);
 * parse({ url: 'https://sms.example' }); // throws: /token is required
 */
export function compileConfigSchema<T = unknown>(schema: JsonSchema): (value: unknown) => T {
  const validate = ajv.compile(schema);
  return (value: unknown): T => {
    const copy: unknown = value === undefined ? undefined : structuredClone(value);
    if (validate(copy)) return copy as T;
    throw new ConfigValidationError((validate.errors ?? []).map(describeProblem));
  };
}

function describeProblem(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${error.instancePath}/${String(params.missingProperty)} is required`;
  if (error.keyword === 'additionalProperties')
    return `${error.instancePath}/${String(params.additionalProperty)} is not allowed (unknown key)`;
  return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;
}
