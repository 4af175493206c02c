import type * as nodeTest from 'node:test';
import { expect } from 'chai';
import { smsProviderContract, type TestRunner } from '@otpledger/plugin-kit/testing';
import acmeSms from '../fixtures/acme-sms-plugin/index.js';

/** A runner shaped like vitest's or jest's (beforeAll/afterAll, a context with skip()), that runs what it collects. */
function collectingRunner() {
  const hooks: { beforeAll: (() => Promise<void>)[]; afterAll: (() => Promise<void>)[] } = { beforeAll: [], afterAll: [] };
  const tests: { name: string; body: (context: { skip(note?: string): void }) => Promise<void> }[] = [];
  const runner: TestRunner = {
    describe: (_name, body) => body(),
    it: (name, body) => void tests.push({ name, body }),
    beforeAll: (body) => void hooks.beforeAll.push(body),
    afterAll: (body) => void hooks.afterAll.push(body),
  };
  async function runAll() {
    const results: Record<string, 'passed' | 'skipped' | Error> = {};
    for (const hook of hooks.beforeAll) await hook();
    try {
      for (const test of tests) {
        let skipped = false;
        try {
          await test.body({ skip: () => void (skipped = true) });
          results[test.name] = skipped ? 'skipped' : 'passed';
        } catch (error) {
          results[test.name] = error as Error;
        }
      }
    } finally {
      for (const hook of hooks.afterAll) await hook();
    }
    return results;
  }
  return { runner, runAll };
}

const scriptedGateway = {
  accept: () => ({ status: 200, body: { id: 'acme-msg-1', parts: 1 } }),
  config: (url: string) => ({ endpoint: `${url}/v1/sms`, token: 'acme-token-0001' }),
  received: (request: { json: unknown }) => {
    const body = request.json as { to: string; text: string; from?: string };
    return { to: body.to, body: body.text, ...(body.from && { senderId: body.from }) };
  },
};

// Checked by tsc: node:test's module and mocha's globals are runners as they are (`runner: await import('node:test')`).
export const runnersAsTheyAre: (test: typeof nodeTest) => TestRunner[] = (test) => [test, { describe, it, before, after }];

describe('plugin kit: the contract suite outside mocha', () => {
  it('runs under a runner with beforeAll/afterAll and a context skip() (the shape of vitest and jest)', async () => {
    const { runner, runAll } = collectingRunner();
    smsProviderContract(acmeSms, { runner, scriptedGateway });
    const results = await runAll();
    expect(Object.keys(results)).to.have.length(11);
    expect(Object.entries(results).filter(([, result]) => result !== 'passed')).to.deep.equal([
      ['sends nothing from reserve(), the decoy the server dispatches for unknown identifiers', 'skipped'],
      ['passes its own validate() against a working gateway', 'skipped'],
    ]);
  });

  it('fails, naming the check, when a provider breaks the contract', async () => {
    const { runner, runAll } = collectingRunner();
    // a gateway whose 503 the plugin would map to "unavailable", but the suite is told to expect "rejected"
    smsProviderContract(acmeSms, { runner, scriptedGateway, expectedCodes: { unavailable: 'rejected' } });
    const failed = Object.entries(await runAll()).filter(([, result]) => result instanceof Error);
    expect(failed.map(([name]) => name)).to.deep.equal(['maps a gateway in "unavailable" mode to the kit code rejected']);
  });

  it('says how to give it a runner when it finds none, and what a runner needs', () => {
    const saved = { before: globalThis.before, describe: globalThis.describe };
    try {
      // @ts-expect-error hiding mocha's globals for a moment
      delete globalThis.before;
      expect(() => smsProviderContract(acmeSms, { scriptedGateway })).to.throw(
        /found no test runner: .*runner: await import\('node:test'\)/,
      );
    } finally {
      globalThis.before = saved.before;
    }
    expect(() => smsProviderContract(acmeSms, { scriptedGateway, runner: { describe, it } })).to.throw(
      /options.runner must have describe, it, before \(or beforeAll\) and after \(or afterAll\)/,
    );
    expect(() => smsProviderContract(acmeSms, {})).to.throw(/needs options.scriptedGateway/);
  });
});
