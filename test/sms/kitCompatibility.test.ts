import { expect } from 'chai';
import { defineSmsProvider, KIT_VERSION } from '@otpledger/plugin-kit';
import { declaredKitRange, kitIncompatibility, type PluginPackage } from '../../core/sms/kitCompatibility.js';

const plugin = (extra: { kit?: string } = {}) =>
  defineSmsProvider({
    name: 'AcmeSms',
    version: '2.3.4',
    configSchema: { type: 'object' },
    secretFields: [],
    create: () => ({ send: async () => ({}) }),
    ...extra,
  });
const pkg = (json: PluginPackage['json']): PluginPackage => ({ path: '/srv/node_modules/@acme/sms/package.json', json });

describe('plugin kit compatibility', () => {
  it('takes the range from the definition first, then peerDependencies, then dependencies', () => {
    const both = pkg({ peerDependencies: { '@otpledger/plugin-kit': '^1.1.0' }, dependencies: { '@otpledger/plugin-kit': '^1.2.0' } });
    expect(declaredKitRange(plugin({ kit: '>=1 <3' }), both)).to.deep.equal({ range: '>=1 <3', declaredIn: 'its definition (kit)' });
    expect(declaredKitRange(plugin(), both)).to.deep.equal({
      range: '^1.1.0',
      declaredIn: '/srv/node_modules/@acme/sms/package.json peerDependencies',
    });
    expect(declaredKitRange(plugin(), pkg({ dependencies: { '@otpledger/plugin-kit': '~1.0.2' } })).range).to.equal('~1.0.2');
  });

  it('falls back to ^ the kit version the plugin was built with when nothing declares a range (file: specs are not ranges)', () => {
    const declared = declaredKitRange(
      plugin(),
      pkg({ devDependencies: {}, dependencies: { '@otpledger/plugin-kit': 'file:../kit.tgz' } } as PluginPackage['json']),
    );
    expect(declared).to.deep.equal({ range: `^${KIT_VERSION}`, declaredIn: `the kit it was built with (${KIT_VERSION})` });
    expect(declaredKitRange(plugin(), undefined).range).to.equal(`^${KIT_VERSION}`);
  });

  it("compares the declared range with the host's kit version, and names the plugin, the range and the host version when they do not match", () => {
    const declared = { range: '^1.4.0', declaredIn: 'package.json peerDependencies' };
    expect(kitIncompatibility(plugin(), declared, '1.4.2')).to.equal(undefined);
    expect(kitIncompatibility(plugin(), declared, '1.3.9')).to.equal(
      'plugin AcmeSms 2.3.4 needs @otpledger/plugin-kit ^1.4.0 (package.json peerDependencies), but this server has @otpledger/plugin-kit 1.3.9',
    );
    expect(kitIncompatibility(plugin(), declared, '2.0.0')).to.match(
      /needs @otpledger\/plugin-kit \^1\.4\.0 .* this server has @otpledger\/plugin-kit 2\.0\.0$/,
    );
    expect(kitIncompatibility(plugin(), { range: 'the latest', declaredIn: 'its definition (kit)' })).to.match(
      /declares "the latest" as its @otpledger\/plugin-kit range .* not a semver range/,
    );
  });

  it("checks against this server's own kit by default", () => {
    expect(kitIncompatibility(plugin(), declaredKitRange(plugin(), undefined))).to.equal(undefined);
    expect(kitIncompatibility(plugin({ kit: '^99.0.0' }), declaredKitRange(plugin({ kit: '^99.0.0' }), undefined))).to.contain(
      `this server has @otpledger/plugin-kit ${KIT_VERSION}`,
    );
  });
});
