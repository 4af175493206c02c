import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KIT_VERSION } from '@otpledger/plugin-kit';
import { expect } from 'chai';
import { loadSmsPlugins } from '../../core/sms/pluginLoader.js';
import { captureLogger } from '../support/captureLogger.js';
import { tempDir } from '../support/tempDir.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('SMS plugin loader', () => {
  it('registers the built-in providers from plugins/ (Default and CustomGateway at least)', async () => {
    const { logger } = captureLogger();
    const registry = await loadSmsPlugins({ external: [], logger });
    expect(registry.get('Default')?.source).to.equal('built-in sms-default');
    expect(registry.get('CustomGateway')?.plugin.settingsKey).to.equal('custom_gateway');
    expect(registry.list().map((entry) => entry.plugin.name)).to.include.members(['Default', 'CustomGateway']);
  });

  it('loads an external plugin by path relative to the working directory, and validates settings with its schema', async () => {
    const { logger } = captureLogger();
    const registry = await loadSmsPlugins({ external: ['./test/fixtures/acme-sms-plugin'], logger, cwd: repo });
    const acme = registry.get('AcmeSms')!;
    expect(acme.source).to.equal('./test/fixtures/acme-sms-plugin');
    expect(acme.plugin.settingsKey).to.equal('acme_sms');
    expect(() => acme.parseConfig({ endpoint: 'https://sms.acme.example', token: 'short' })).to.throw(
      /\/token must NOT have fewer than 8 characters/,
    );
  });

  it('reports each broken plugin by name with its reason (warn), and loads the rest', async () => {
    const { logger, lines } = captureLogger();
    const broken = ['wrong-kit.ts', 'throws-on-import.ts', 'no-create.ts', 'nowhere.ts'].map(
      (file) => `./test/fixtures/broken-sms-plugins/${file}`,
    );
    const registry = await loadSmsPlugins({
      external: [...broken, 'no-such-sms-package', './test/fixtures/acme-sms-plugin/index.ts'],
      logger,
      cwd: repo,
    });
    expect(registry.get('AcmeSms')).to.exist;
    const reasons = Object.fromEntries(registry.failures.map(({ source, reason }) => [path.basename(source), reason]));
    expect(reasons['wrong-kit.ts']).to.equal(
      `plugin FutureSms 9.0.0 needs @otpledger/plugin-kit ^2.0.0 (its definition (kit)), but this server has @otpledger/plugin-kit ${KIT_VERSION}`,
    );
    expect(reasons['throws-on-import.ts']).to.match(/boom while loading ExplodingSms/);
    expect(reasons['no-create.ts']).to.match(/create must be a function.*secret field \/missing is not in configSchema/);
    expect(reasons['nowhere.ts']).to.match(/no file at/);
    expect(reasons['no-such-sms-package']).to.match(/package "no-such-sms-package" cannot be found/);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).to.have.length(5);
    expect(warnings[0]!.msg).to.match(/^SMS provider plugin \.\/test\/fixtures\/broken-sms-plugins\/wrong-kit\.ts was not loaded: /);
  });

  it("refuses an installed package whose package.json peerDependencies range does not hold this server's kit, naming plugin, range and host version", async () => {
    const temp = tempDir();
    try {
      const dir = path.join(temp.dir, 'node_modules', '@acme', 'otpledger-sms-future');
      mkdirSync(dir, { recursive: true });
      const kit = pathToFileURL(path.join(repo, 'packages/plugin-kit/dist/index.js')).href;
      writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({
          name: '@acme/otpledger-sms-future',
          version: '3.0.0',
          type: 'module',
          exports: { '.': { import: './main.js' } },
          peerDependencies: { '@otpledger/plugin-kit': '^2.1.0' },
        }),
      );
      writeFileSync(
        path.join(dir, 'main.js'),
        `import { defineSmsProvider } from ${JSON.stringify(kit)};\nexport default defineSmsProvider({ name: 'FutureSms', version: '3.0.0', configSchema: { type: 'object' }, secretFields: [], create: () => ({ send: async () => ({}) }) });\n`,
      );
      const { logger, lines } = captureLogger();
      const registry = await loadSmsPlugins({ external: ['@acme/otpledger-sms-future'], logger, cwd: temp.dir });
      expect(registry.get('FutureSms')).to.equal(undefined);
      const packageJson = path.join(realpathSync(temp.dir), 'node_modules/@acme/otpledger-sms-future/package.json');
      const reason = `plugin FutureSms 3.0.0 needs @otpledger/plugin-kit ^2.1.0 (${packageJson} peerDependencies), but this server has @otpledger/plugin-kit ${KIT_VERSION}`;
      expect(registry.failures).to.deep.equal([{ source: '@acme/otpledger-sms-future', reason }]);
      expect(lines.find((line) => line.level === 40)!.msg).to.equal(
        `SMS provider plugin @acme/otpledger-sms-future was not loaded: ${reason}`,
      );
    } finally {
      temp.remove();
    }
  });

  it('refuses a second plugin with a taken name, so no external plugin can replace a built-in', async () => {
    const temp = tempDir();
    try {
      const dir = path.join(temp.dir, 'impostor');
      mkdirSync(dir);
      const kit = path.join(repo, 'packages/plugin-kit/src/index.ts');
      writeFileSync(
        path.join(dir, 'index.ts'),
        `import { defineSmsProvider } from ${JSON.stringify(kit)};\nexport default defineSmsProvider({ name: 'Default', version: '1.0.0', configSchema: { type: 'object' }, secretFields: [], create: () => ({ send: async () => ({}) }) });\n`,
      );
      const { logger } = captureLogger();
      const registry = await loadSmsPlugins({ external: [dir], logger });
      expect(registry.get('Default')!.source).to.equal('built-in sms-default');
      expect(registry.failures[registry.failures.length - 1]!.reason).to.match(/"Default" is already taken by built-in sms-default/);
    } finally {
      temp.remove();
    }
  });
});
