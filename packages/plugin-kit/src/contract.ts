import assert from 'node:assert/strict';
import { compileConfigSchema } from './configValidation.js';
import { resolveRunner, type TestRunner } from './contractRunner.js';
import { directEgress } from './egress.js';
import type { SmsProviderPlugin } from './defineSmsProvider.js';
import {
  SmsProviderError,
  type ProviderServices,
  type SendContext,
  type SmsMessage,
  type SmsProvider,
  type SmsProviderErrorCode,
} from './index.js';
import { getAtPointer, schemaAtPointer } from './jsonPointer.js';
import { startScriptedGateway, type GatewayMode, type GatewayRequest, type ScriptedGatewayOptions } from './scriptedGateway.js';

/**
 * A running local gateway (127.0.0.1) for one plugin, and valid settings that point at it. Write one only
 * when the scripted gateway cannot play your provider's API; otherwise pass `scriptedGateway`.
 *
 * @example
 * const gateway: ContractGateway = { config: { url }, setMode: (m) => (mode = m), received: () => sent, close: () => server.close() };
 */
export interface ContractGateway {
  config: Record<string, unknown>;
  setMode(mode: GatewayMode): void;
  /** The SMS the gateway accepted, oldest first, in kit terms. */
  received(): SmsMessage[];
  close(): Promise<void>;
}

/**
 * How the scripted gateway plays your provider's API for the contract suite: the settings that point your
 * plugin at it, how to read the SMS back out of a request, and (optionally) its answers.
 *
 * @example
 * const scriptedGateway: ScriptedGatewayHarness = {
 *   config: (url) => ({ endpoint: `${url}/v1/sms`, token: 'test-token-123' }),
 *   received: (request) => { const body = request.json as { to: string; text: string }; return { to: body.to, body: body.text }; },
 *   accept: () => ({ status: 200, body: { id: 'msg-1' } }),
 * };
 */
export interface ScriptedGatewayHarness extends ScriptedGatewayOptions {
  /** Valid settings for your plugin, pointing at the gateway's `url` (`http://127.0.0.1:<port>`). */
  config(url: string): Record<string, unknown>;
  /** The SMS a send request carried, in kit terms (`senderId` when your API carries one). */
  received(request: GatewayRequest): SmsMessage;
}

type FailureMode = Exclude<GatewayMode, 'succeed' | 'hang'>;

/**
 * Options of {@link smsProviderContract}. Give `scriptedGateway` (or, for an API the scripted gateway cannot
 * play, `gateway`).
 *
 * @example
 * const options: SmsProviderContractOptions = {
 *   scriptedGateway,
 *   expectedCodes: { reject: 'invalid_recipient' },
 *   runner: await import('node:test'),
 * };
 */
export interface SmsProviderContractOptions {
  /** The suite's title; defaults to the plugin's name. */
  name?: string;
  scriptedGateway?: ScriptedGatewayHarness;
  /** Starts your own local gateway instead of the scripted one. */
  gateway?: () => Promise<ContractGateway>;
  /** Modes the gateway can play; default all five. */
  modes?: readonly GatewayMode[];
  /** The kit code each failure must map to; defaults `rejected`, `unavailable`, `rate_limited`. */
  expectedCodes?: Partial<Record<FailureMode, SmsProviderErrorCode>>;
  /** False when the provider cannot carry a per-message sender id (it uses a configured one). Default true. */
  deliversSenderId?: boolean;
  /** Services lent to `create`; defaults: a silent logger, `performance.now` and unchecked egress (`directEgress`). */
  services?: Partial<ProviderServices> & Record<string, unknown>;
  /** The test runner's functions; defaults to the globals of mocha, jest or vitest (`globals: true`). */
  runner?: TestRunner;
}

const defaultCodes: Record<FailureMode, SmsProviderErrorCode> = {
  reject: 'rejected',
  unavailable: 'unavailable',
  rate_limited: 'rate_limited',
};
const allModes: readonly GatewayMode[] = ['succeed', 'reject', 'unavailable', 'rate_limited', 'hang'];
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const message: SmsMessage = { to: '+15125550123', body: 'Your Acme code is 482913', senderId: 'Acme' };
const TIMEOUT_MS = 300;

/**
 * The provider contract: every SMS provider plugin, built-in or third-party, passes this suite against a
 * real local HTTP gateway. Call it at the top level of a test file of any runner: mocha, jest and vitest
 * (with `globals: true`) are found by their globals; for `node:test` or vitest without globals pass their
 * functions as `runner`. It asserts with `node:assert`, so it needs nothing else installed.
 *
 * @example
 * // test/contract.test.js, run with `node --test`
 * import * as nodeTest from 'node:test';
 * import { smsProviderContract } from '@otpledger/plugin-kit/testing';
 * import plugin from '../dist/index.js';
 *
 * smsProviderContract(plugin, {
 *   runner: nodeTest,
 *   scriptedGateway: {
 *     config: (url) => ({ endpoint: `${url}/v1/sms`, token: 'test-token-123' }),
 *     received: (request) => ({ to: request.json.to, body: request.json.text, senderId: request.json.from }),
 *   },
 * });
 */
export function smsProviderContract(
  factory: SmsProviderPlugin | (() => SmsProviderPlugin | Promise<SmsProviderPlugin>),
  options: SmsProviderContractOptions,
): void {
  const runner = resolveRunner(options.runner);
  const start = options.gateway ?? (options.scriptedGateway && scriptedContractGateway(options.scriptedGateway));
  if (!start) throw new TypeError('smsProviderContract needs options.scriptedGateway (or options.gateway)');
  const title = options.name ?? (typeof factory === 'function' ? 'SMS provider' : factory.name);
  const modes = options.modes ?? allModes;
  const codeFor = (mode: FailureMode) => options.expectedCodes?.[mode] ?? defaultCodes[mode];
  const services: ProviderServices = { logger: silent, now: () => performance.now(), egress: directEgress(), ...options.services };
  const context = (timeoutMs = 5_000): SendContext => ({ tenantId: 'contract', timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
  let plugin: SmsProviderPlugin;
  let gateway: ContractGateway | undefined;
  let provider: SmsProvider;

  runner.describe(`SMS provider contract: ${title}`, () => {
    runner.before(async () => {
      plugin = typeof factory === 'function' ? await factory() : factory;
      gateway = await start();
      provider = plugin.create(compileConfigSchema(plugin.configSchema)(gateway.config), services);
    });
    runner.after(async () => {
      await gateway?.close();
    });
    const test = (name: string, body: (skip: (reason: string) => void) => unknown) =>
      runner.it(name, async function (this: unknown, ...args: unknown[]) {
        gateway?.setMode('succeed');
        await body((reason) => skipTest(this, args[0], reason));
      });

    test('declares a name, a version, the kit version, its settings key and a create function', () => {
      assert.match(plugin.name, /^[A-Za-z][A-Za-z0-9_-]{0,63}$/);
      assert.ok(typeof plugin.version === 'string' && plugin.version.length > 0, 'version is a non-empty string');
      assert.match(plugin.kitVersion, /^\d+\.\d+\.\d+/, 'kitVersion is stamped by defineSmsProvider');
      assert.match(plugin.settingsKey, /^[a-z][a-z0-9_]*$/);
      assert.equal(typeof plugin.create, 'function');
    });

    test('accepts the valid settings', () => {
      compileConfigSchema(plugin.configSchema)(gateway!.config);
    });

    test('refuses settings missing a required field, naming the field', (skip) => {
      const required = (plugin.configSchema.required as string[] | undefined) ?? [];
      if (required.length === 0) return skip('the schema requires no field');
      for (const field of required) {
        const { [field]: _removed, ...broken } = gateway!.config;
        assert.throws(() => compileConfigSchema(plugin.configSchema)(broken), new RegExp(`/${field}\\b`), `settings without ${field}`);
      }
    });

    test('names secret fields that exist in its schema and in valid settings', () => {
      assert.ok(Array.isArray(plugin.secretFields), 'secretFields is an array');
      for (const pointer of plugin.secretFields) {
        assert.equal(typeof schemaAtPointer(plugin.configSchema, pointer), 'object', `${pointer} in configSchema`);
        assert.equal(typeof getAtPointer(gateway!.config, pointer), 'string', `${pointer} in the valid settings`);
      }
    });

    test('delivers the recipient, the body and the sender to the gateway', async () => {
      const result = await provider.send(message, context());
      assert.equal(typeof result, 'object');
      if (result.providerMessageId !== undefined) assert.equal(typeof result.providerMessageId, 'string');
      const received = gateway!.received().at(-1);
      assert.ok(received, 'the gateway received the SMS');
      assert.equal(received.to, message.to);
      assert.equal(received.body, message.body);
      if (options.deliversSenderId !== false) assert.equal(received.senderId, message.senderId);
    });

    for (const mode of ['reject', 'unavailable', 'rate_limited'] as const) {
      test(`maps a gateway in "${mode}" mode to the kit code ${codeFor(mode)}`, async (skip) => {
        if (!modes.includes(mode)) return skip(`the gateway cannot play "${mode}"`);
        gateway!.setMode(mode);
        const error = await failure(provider.send(message, context()));
        assert.equal(error.code, codeFor(mode));
        assert.equal(error.transient, mode !== 'reject');
        assert.ok(!error.message.includes(message.body), 'the error message does not carry the SMS body');
      });
    }

    test(`fails with "timeout" within the context's timeoutMs when the gateway hangs`, async (skip) => {
      if (!modes.includes('hang')) return skip('the gateway cannot hang');
      gateway!.setMode('hang');
      const started = performance.now();
      const error = await failure(provider.send(message, context(TIMEOUT_MS)));
      assert.equal(error.code, 'timeout');
      assert.ok(performance.now() - started < TIMEOUT_MS + 700, 'gave up close to timeoutMs');
    });

    test('sends nothing from reserve(), the decoy the server dispatches for unknown identifiers', async (skip) => {
      if (!provider.reserve) return skip('the provider has no reserve()');
      const before = gateway!.received().length;
      await provider.reserve(context());
      assert.equal(gateway!.received().length, before, 'reserve() delivered nothing');
    });

    test('passes its own validate() against a working gateway', async (skip) => {
      if (!provider.validate) return skip('the provider has no validate()');
      await provider.validate(context());
    });
  });
}

function scriptedContractGateway(harness: ScriptedGatewayHarness): () => Promise<ContractGateway> {
  return async () => {
    const gateway = await startScriptedGateway(harness);
    return {
      config: harness.config(gateway.url),
      setMode: (mode) => void (gateway.mode = mode),
      received: () => gateway.accepted.map((request) => harness.received(request)),
      close: () => gateway.close(),
    };
  };
}

/** mocha skips through `this.skip()`, node:test and vitest through the context argument; jest cannot skip at run time. */
function skipTest(self: unknown, testContext: unknown, reason: string): void {
  for (const candidate of [self, testContext]) {
    const skip = (candidate as { skip?: unknown } | null | undefined)?.skip;
    if (typeof skip === 'function') return void skip.call(candidate, reason);
  }
}

async function failure(promise: Promise<unknown>): Promise<SmsProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SmsProviderError, `expected an SmsProviderError, got ${String(error)}`);
    return error;
  }
  throw new assert.AssertionError({ message: 'expected the send to fail' });
}
