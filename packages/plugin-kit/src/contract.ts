import { expect } from 'chai';
import { compileConfigSchema as compileSchema } from './configValidation.js';
import { KIT_VERSION, SmsProviderError, type ProviderServices, type SmsMessage, type SmsProvider, type SmsProviderErrorCode, type SmsProviderPlugin } from './index.js';
import { getAtPointer, schemaAtPointer } from './jsonPointer.js';
import type { GatewayMode } from './scriptedGateway.js';

/** A running local gateway (127.0.0.1) for one plugin, and valid settings that point at it. */
export interface ContractGateway {
  config: Record<string, unknown>;
  setMode(mode: GatewayMode): void;
  /** The SMS the gateway accepted, oldest first, in kit terms. */
  received(): SmsMessage[];
  close(): Promise<void>;
}

type FailureMode = Exclude<GatewayMode, 'succeed' | 'hang'>;

export interface SmsProviderHarness {
  /** The plugin, or how to load it (e.g. through the server's loader, by path). */
  plugin: SmsProviderPlugin | (() => Promise<SmsProviderPlugin>);
  start(): Promise<ContractGateway>;
  /** Modes the gateway can play; default all five. */
  modes?: GatewayMode[];
  /** The kit code each failure must map to; defaults `rejected`, `unavailable`, `rate_limited`. */
  expectedCodes?: Partial<Record<FailureMode, SmsProviderErrorCode>>;
  /** False when the provider cannot carry a per-message sender id (it uses a configured one). Default true. */
  deliversSenderId?: boolean;
  /** Services lent to `create`; defaults: a silent logger, `performance.now`, no outbox. */
  services?: Partial<ProviderServices>;
}

const defaultCodes: Record<FailureMode, SmsProviderErrorCode> = { reject: 'rejected', unavailable: 'unavailable', rate_limited: 'rate_limited' };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const message: SmsMessage = { to: '+15125550123', body: 'Your Acme code is 482913', senderId: 'Acme' };
const TIMEOUT_MS = 300;

/**
 * The provider contract: every SMS provider plugin, built-in or third-party, passes this suite against a
 * real local HTTP gateway. Run it from a mocha test file with one call.
 *
 * @example
 * import { smsProviderContract, startScriptedGateway } from '@otpledger/plugin-kit/testing';
 * smsProviderContract('AcmeSms', { plugin, start: async () => { const gw = await startScriptedGateway(); ... } });
 */
export function smsProviderContract(name: string, harness: SmsProviderHarness): void {
  describe(`SMS provider contract: ${name}`, function () {
    this.timeout(10_000);
    let plugin: SmsProviderPlugin;
    let gateway: ContractGateway;
    let provider: SmsProvider;
    const modes = harness.modes ?? ['succeed', 'reject', 'unavailable', 'rate_limited', 'hang'];
    const services: ProviderServices = { logger: silent, now: () => performance.now(), outbox: { send: () => Promise.reject(new Error('no outbox in this harness')) }, ...harness.services };
    const context = (timeoutMs = 5_000) => ({ tenantId: 'contract', timeoutMs, signal: AbortSignal.timeout(timeoutMs) });

    before(async () => {
      plugin = typeof harness.plugin === 'function' ? await harness.plugin() : harness.plugin;
      gateway = await harness.start();
      provider = plugin.create(compileSchema(plugin.configSchema)(gateway.config), services);
    });
    after(() => gateway?.close());
    afterEach(() => gateway.setMode('succeed'));

    it('declares a name, a version, the kit version, its settings key and a create function', () => {
      expect(plugin.name).to.be.a('string').with.length.above(0);
      expect(plugin.version).to.be.a('string').with.length.above(0);
      expect(plugin.kitVersion).to.equal(KIT_VERSION);
      expect(plugin.settingsKey).to.match(/^[a-z][a-z0-9_]*$/);
      expect(plugin.create).to.be.a('function');
    });

    it('accepts the valid settings', () => {
      expect(() => compileSchema(plugin.configSchema)(gateway.config)).not.to.throw();
    });

    it('refuses settings missing a required field, naming the field', function () {
      const required = (plugin.configSchema.required as string[] | undefined) ?? [];
      if (required.length === 0) this.skip();
      for (const field of required) {
        const { [field]: _removed, ...broken } = gateway.config;
        expect(() => compileSchema(plugin.configSchema)(broken), field).to.throw(new RegExp(`/${field}\\b`));
      }
    });

    it('names secret fields that exist in its schema and in valid settings', () => {
      expect(plugin.secretFields).to.be.an('array');
      for (const pointer of plugin.secretFields) {
        expect(schemaAtPointer(plugin.configSchema, pointer), `${pointer} in configSchema`).to.be.an('object');
        expect(getAtPointer(gateway.config, pointer), `${pointer} in the valid settings`).to.be.a('string');
      }
    });

    it('delivers the recipient, the body and the sender to the gateway', async () => {
      const result = await provider.send(message, context());
      expect(result).to.be.an('object');
      if (result.providerMessageId !== undefined) expect(result.providerMessageId).to.be.a('string');
      const received = gateway.received().at(-1);
      expect(received?.to).to.equal(message.to);
      expect(received?.body).to.equal(message.body);
      if (harness.deliversSenderId !== false) expect(received?.senderId).to.equal(message.senderId);
    });

    for (const mode of ['reject', 'unavailable', 'rate_limited'] as const) {
      it(`maps a gateway in "${mode}" mode to the kit code ${harness.expectedCodes?.[mode] ?? defaultCodes[mode]}`, async function () {
        if (!modes.includes(mode)) this.skip();
        gateway.setMode(mode);
        const error = await failure(provider.send(message, context()));
        expect(error.code).to.equal(harness.expectedCodes?.[mode] ?? defaultCodes[mode]);
        expect(error.transient).to.equal(mode !== 'reject');
        expect(error.message).not.to.contain(message.body);
      });
    }

    it(`fails with "timeout" within the context's timeoutMs when the gateway hangs`, async function () {
      if (!modes.includes('hang')) this.skip();
      gateway.setMode('hang');
      const started = performance.now();
      const error = await failure(provider.send(message, context(TIMEOUT_MS)));
      expect(error.code).to.equal('timeout');
      expect(performance.now() - started).to.be.below(TIMEOUT_MS + 700);
    });

    it('passes its own validate() against a working gateway', async function () {
      if (!provider.validate) this.skip();
      await provider.validate(context());
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<SmsProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(SmsProviderError);
    return error as SmsProviderError;
  }
  throw new Error('expected the send to fail');
}
