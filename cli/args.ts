import { parseArgs } from 'node:util';
import { QueryValidationError } from '../core/validation/schemaValidationError.js';

export class UsageError extends Error {}

/** `--name value` options (strings), `--flag` switches and positionals, refusing unknown options. */
export function parseOptions(
  args: string[],
  names: readonly string[],
  switches: readonly string[] = [],
): { options: Record<string, string | undefined>; flags: Record<string, boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
        ...Object.fromEntries(switches.map((name) => [name, { type: 'boolean' as const }])),
      },
    });
    const flags = Object.fromEntries(switches.map((name) => [name, values[name] === true]));
    return { options: values as Record<string, string | undefined>, flags, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Options checked by the schema the API checks the same query with (`parseAuditQuery`, `parseStateQuery`): the
 * options are given under the query's names (`user_id`), and a refusal is a usage error naming each option as the
 * command line spells it (`--user-id must be given once`).
 */
export function checkedOptions<T>(parse: (query: unknown) => T, query: Record<string, string | undefined>): T {
  try {
    return parse(query);
  } catch (error) {
    if (!(error instanceof QueryValidationError)) throw error;
    throw new UsageError(
      error.problems.map((problem) => `--${problem.slice(1).replace(/^[^ ]+/, (name) => name.replaceAll('_', '-'))}`).join('; '),
    );
  }
}
