/* eslint-disable @typescript-eslint/no-explicit-any -- test runners type their callbacks each their own way */

/**
 * The few functions the contract suite needs from a test runner. `node:test` matches as it is
 * (`runner: await import('node:test')`); so do mocha's, jest's and vitest's (`beforeAll`/`afterAll` are
 * accepted for `before`/`after`).
 *
 * @example
 * import { describe, it, beforeAll, afterAll } from 'vitest';
 * smsProviderContract(plugin, { scriptedGateway, runner: { describe, it, beforeAll, afterAll } });
 */
export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: (this: any, ...args: any[]) => Promise<void>): unknown;
  before?(body: () => Promise<void>): unknown;
  beforeAll?(body: () => Promise<void>): unknown;
  after?(body: () => Promise<void>): unknown;
  afterAll?(body: () => Promise<void>): unknown;
}

interface ResolvedRunner {
  describe: TestRunner['describe'];
  it: TestRunner['it'];
  before(body: () => Promise<void>): unknown;
  after(body: () => Promise<void>): unknown;
}

/**
 * The runner given, or the one whose globals are installed (mocha, jest, vitest with `globals: true`).
 *
 * @internal not exported by the package; used by smsProviderContract
 */
export function resolveRunner(given: TestRunner | undefined): ResolvedRunner {
  const source = (given ?? globalThis) as Partial<TestRunner>;
  const before = source.before ?? source.beforeAll;
  const after = source.after ?? source.afterAll;
  if (
    typeof source.describe !== 'function' ||
    typeof source.it !== 'function' ||
    typeof before !== 'function' ||
    typeof after !== 'function'
  ) {
    throw new TypeError(
      given
        ? 'options.runner must have describe, it, before (or beforeAll) and after (or afterAll)'
        : "smsProviderContract found no test runner: run it under mocha, jest or vitest (globals: true), or pass runner: await import('node:test')",
    );
  }
  return { describe: source.describe.bind(source), it: source.it.bind(source), before: before.bind(source), after: after.bind(source) };
}
