import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** `--name value` options (all strings) and positionals, refusing unknown options. */
export function parseOptions(args: string[], names: readonly string[]): { options: Record<string, string | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
    });
    return { options: values as Record<string, string | undefined>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
