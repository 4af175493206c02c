import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { KIT_VERSION } from '@otpledger/plugin-kit';
import { startScriptedGateway, type ScriptedGateway } from '@otpledger/plugin-kit/testing';
import { docFiles, writeFiles } from '../support/docFiles.js';
import { acme } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const guide = path.join(repo, 'docs/writing-a-provider-plugin.md');
const PLUGIN = '@acme/otpledger-sms-acme';
const FUTURE = '@acme/otpledger-sms-acme-next';
const phone = '+15125550177';

/** Runs a command to its end; rejects with its output when it fails. npm's own variables stay out of its env. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on(
      'close',
      (code) => (
        process.env.OTPLEDGER_TEST_TIMINGS && console.log(`${command} ${args[0]} ${Date.now() - started} ms`),
        code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} in ${cwd} exited ${code}:\n${output}`))
      ),
    );
  });
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))), ...extra };
}

// From the local cache when it has them (the repository's own `npm ci` put them there), else the registry.
const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];

async function npmPack(dir: string, destination: string, ...flags: string[]): Promise<{ file: string; files: string[] }> {
  mkdirSync(destination, { recursive: true });
  // a prepack script's output comes first; the JSON report is the last thing npm prints
  const output = await run('npm', ['pack', '--json', '--pack-destination', destination, ...flags], dir);
  const [packed] = JSON.parse(output.slice(output.search(/^\[$/m))) as { filename: string; files: { path: string }[] }[];
  return { file: path.join(destination, packed!.filename), files: packed!.files.map((entry) => entry.path) };
}

/**
 * The plugin kit as a third party gets it: from a packed tarball, in a project outside this repository,
 * with a plugin written from docs/writing-a-provider-plugin.md, tested there with node:test, packed, and
 * installed beside a running otpledger that loads it by package name. The server is this repository's code
 * on its own install; the kit and the plugin reach it only as the tarballs npm made.
 */
describe('a provider plugin written, tested, packed and installed through npm as a third party', function () {
  this.timeout(600_000);
  const temp = tempDir('otpledger-plugin-npm-');
  const [tarballs, project, future, setup] = ['tarballs', 'acme-sms', 'acme-sms-next', 'otpledger'].map((name) =>
    path.join(temp.dir, name),
  ) as [string, string, string, string];
  let kit: { file: string; files: string[] };
  let contractOutput = '';
  let server: ChildProcess | undefined;
  let logs = '';
  let url = '';
  let gateway: ScriptedGateway;

  before(async () => {
    // the kit's dist is current: tools/ensureKitBuilt.mjs runs before mocha loads any test
    kit = await npmPack(path.join(repo, 'packages/plugin-kit'), tarballs, '--ignore-scripts');

    writeFiles(project, docFiles(guide));
    await run('npm', [...npmInstall, '--save-dev', kit.file], project);
    contractOutput = await run('npm', ['test'], project); // builds dist/, then runs the suite
    const plugin = await npmPack(project, tarballs, '--ignore-scripts'); // its prepack would only build again

    // the same plugin, declaring a kit range this server's kit is not in
    cpSync(project, future, { recursive: true, filter: (source) => !source.includes('node_modules') });
    const manifest = JSON.parse(readFileSync(path.join(future, 'package.json'), 'utf8')) as Record<string, any>;
    Object.assign(manifest, { name: FUTURE, version: '2.0.0', peerDependencies: { '@otpledger/plugin-kit': '^2.0.0' } });
    writeFileSync(path.join(future, 'package.json'), JSON.stringify(manifest, null, 2));
    const futurePlugin = await npmPack(future, tarballs, '--ignore-scripts');

    writeFiles(setup, new Map([['package.json', JSON.stringify({ name: 'acme-otpledger', private: true })]]));
    await run('npm', [...npmInstall, kit.file, plugin.file], setup);
    // npm itself refuses the unmet peer range; an operator who forces it past npm meets the server's check
    await run('npm', [...npmInstall, '--legacy-peer-deps', futurePlugin.file], setup);

    gateway = await startScriptedGateway({ accept: () => ({ status: 200, body: { id: 'acme-msg-9', parts: 1 } }) });
    writeFileSync(
      path.join(setup, 'otpledger.json'),
      JSON.stringify({
        server: { host: '127.0.0.1', port: 0 },
        dataDir: path.join(setup, 'data'),
        log: { level: 'info' },
        bootstrap: { tenants: [acme] },
        sms: { allowPrivateNetworks: true },
        plugins: [PLUGIN, FUTURE],
      }),
    );
    url = await startServer(setup);
  });

  after(async () => {
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((resolve) => server!.once('exit', resolve));
    await gateway?.close();
    temp.remove();
  });

  function startServer(cwd: string): Promise<string> {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    server = spawn(process.execPath, [tsx, path.join(repo, 'core/main.ts')], {
      cwd,
      env: cleanEnv({ OTPLEDGER_CONFIG: path.join(cwd, 'otpledger.json') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        logs += chunk;
        const listening = /otpledger listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(logs);
        if (listening) resolve(listening[1]!);
      };
      server!.stdout!.on('data', collect);
      server!.stderr!.on('data', collect);
      server!.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${logs}`)));
    });
  }

  async function call(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function clientToken(clientId: string): Promise<string> {
    const response = await fetch(`${url}/oidc/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientId}-secret` }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  const logLines = () =>
    logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; [key: string]: unknown });

  it('packs the kit with only its built files, its README and package.json', () => {
    expect(kit.files.filter((file) => !/^dist\/[A-Za-z]+\.(js|d\.ts)$/.test(file)).sort()).to.deep.equal(['README.md', 'package.json']);
    expect(kit.files).to.include.members(['dist/index.js', 'dist/index.d.ts', 'dist/testing.js', 'dist/testing.d.ts']);
  });

  it("builds the guide's plugin against the kit's types, and passes the contract suite there under node:test", () => {
    // node:test's summary (`# pass 9` from the tap reporter, `ℹ pass 9` from spec); the guide's plugin has no
    // validate() or reserve(): both are skipped
    const count = (what: string) => Number(new RegExp(`^(?:#|ℹ) ${what} (\\d+)$`, 'm').exec(contractOutput)?.[1]);
    expect(count('fail'), contractOutput).to.equal(0);
    expect(count('pass'), contractOutput).to.be.at.least(9);
    expect(count('skipped'), contractOutput).to.equal(2);
    expect(contractOutput).to.contain('SMS provider contract: AcmeSms');
  });

  it('is loaded by package name from the set-up, its kit resolved from the tarball installed there', () => {
    const loaded = logLines().find((line) => line.msg === 'SMS provider plugin loaded' && line.plugin === 'AcmeSms');
    expect(loaded, logs).to.deep.include({ source: PLUGIN, version: '1.0.0' });
    const kitCopy = realpathSync(path.join(setup, 'node_modules/@otpledger/plugin-kit/package.json'));
    expect(JSON.parse(readFileSync(kitCopy, 'utf8')).version).to.equal(KIT_VERSION);
    expect(kitCopy.startsWith(realpathSync(repo))).to.equal(false);
  });

  it("refuses at start the plugin whose kit range this server's kit is not in, naming the plugin, the range and the host's version", async () => {
    const manifest = realpathSync(path.join(setup, 'node_modules', FUTURE, 'package.json'));
    const reason = `plugin AcmeSms 1.0.0 needs @otpledger/plugin-kit ^2.0.0 (${manifest} peerDependencies), but this server has @otpledger/plugin-kit ${KIT_VERSION}`;
    const warning = logLines().find((line) => line.level === 40 && line.plugin === FUTURE);
    expect(warning, logs).to.deep.include({ msg: `SMS provider plugin ${FUTURE} was not loaded: ${reason}`, reason });
  });

  it('is configured for a tenant through PUT /cis/v1/tenantsmsproviders and carries the OTP to the gateway', async () => {
    const [app, admin] = [await clientToken('acme-web'), await clientToken('acme-admin')];
    expect((await call('POST', '/cis/v1/users', { phone_number: phone }, app)).status).to.be.below(300);
    const settings = { endpoint: `${gateway.url}/v1/sms`, token: 'acme-token-0123456789' };
    const put = await call('PUT', '/cis/v1/tenantsmsproviders', { provider: 'AcmeSms', acme_sms: settings }, admin);
    expect(put, JSON.stringify(put.body)).to.deep.include({
      status: 200,
      body: { provider: 'AcmeSms', acme_sms: { ...settings, token: '****6789' }, fallback: [] },
    });

    const sent = await call('POST', '/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app);
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    const received = gateway.accepted.at(-1)!;
    expect(received.headers.authorization).to.equal(`Bearer ${settings.token}`);
    expect((received.json as { to: string }).to).to.equal(phone);
    const code = /\d{6}/.exec((received.json as { text: string }).text)![0];
    const login = await call(
      'POST',
      '/cis/v1/auth/otp/authenticate',
      { passcode: code, identifier_type: 'phone_number', identifier: phone },
      app,
    );
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
  });
});
