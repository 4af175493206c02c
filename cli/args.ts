import { parseArgs } from 'node:util';

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
