import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { defineSmsProvider, KIT_VERSION, type ConfigOf, type SmsProviderPlugin } from '@otpledger/plugin-kit';
import { directEgress } from '@otpledger/plugin-kit/testing';

const acmeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint', 'token'],
  properties: {
    endpoint: { type: 'string', format: 'uri' },
    token: { type: 'string' },
    retries: { type: 'integer', default: 2 },
    region: { type: 'string', enum: ['eu', 'us'] },
  },
} as const;

describe('plugin kit: defineSmsProvider', () => {
  it("stamps the kit's own version, which is its package.json version", () => {
    const manifest = JSON.parse(readFileSync(new URL('../../packages/plugin-kit/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(KIT_VERSION).to.equal(manifest.version);
    const plugin = defineSmsProvider({
      name: 'Echo',
      version: '1.0.0',
      configSchema: { type: 'object' },
      secretFields: [],
      create: () => ({ send: async () => ({}) }),
    });
    expect(plugin.kitVersion).to.equal(KIT_VERSION);
  });

  it('derives the settings key from the name, keeps a declared kit range, and freezes the result', () => {
    const plugin = defineSmsProvider({
      name: 'AcmeSms',
      version: '1.0.0',
      kit: '^1.0.0',
      configSchema: acmeSchema,
      secretFields: ['/token'],
      create: () => ({ send: async () => ({}) }),
    });
    expect(plugin).to.deep.include({ settingsKey: 'acme_sms', kit: '^1.0.0' });
    expect(Object.isFrozen(plugin)).to.equal(true);
    expect(
      defineSmsProvider({
        name: 'x',
        version: '1',
        settingsKey: 'other',
        configSchema: {},
        secretFields: [],
        create: () => ({ send: async () => ({}) }),
      }).settingsKey,
    ).to.equal('other');
  });

  it('types create(config) from configSchema, defaults present, with no hand-written interface (checked by tsc)', async () => {
    const plugin = defineSmsProvider({
      name: 'AcmeSms',
      version: '1.0.0',
      configSchema: acmeSchema,
      secretFields: ['/token'],
      create: (config) => {
        const endpoint: string = config.endpoint;
        const retries: number = config.retries; // defaulted, so not optional
        const region: 'eu' | 'us' | undefined = config.region;
        // @ts-expect-error a field the schema does not have
        void config.password;
        // @ts-expect-error token is a string
        const wrong: number = config.token;
        return { send: async () => ({ providerMessageId: `${endpoint}|${retries}|${region}|${wrong}` }) };
      },
    });
    const typed: SmsProviderPlugin<ConfigOf<typeof acmeSchema>> = plugin;
    // @ts-expect-error the required token is missing
    const missing: ConfigOf<typeof acmeSchema> = { endpoint: 'https://sms.example', retries: 1 };
    void missing;
    const provider = typed.create(
      { endpoint: 'https://sms.example', token: 't', retries: 3 },
      { logger: console, now: () => 0, egress: directEgress() },
    );
    expect(await provider.send({ to: '+15125550100', body: 'x' }, { tenantId: 't', timeoutMs: 1000 })).to.deep.equal({
      providerMessageId: 'https://sms.example|3|undefined|t',
    });
  });
});
