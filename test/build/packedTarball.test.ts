import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { tempDir } from '../support/tempDir.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });

/** The environment of a user's shell: nothing of ours (no OTPLEDGER_*, no tsx loader in NODE_OPTIONS). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('OTPLEDGER_') && !['PORT', 'HOST', 'NODE_OPTIONS'].includes(name) && !name.startsWith('npm_'),
    ),
  );
}

/**
 * What `npm publish` would ship, installed the way a user installs it: `npm run build`, `npm pack` of the kit and
 * of otpledger, then `npm install --omit=dev` of both tarballs into an empty project, and `node` on the build.
 * The install runs no scripts, and better-sqlite3's native binary (which its install script would compile from
 * source here: about 2 minutes, far more on a busy machine) is copied from this checkout's build of the same
 * version; everything else is exactly what a user gets.
 */
describe('the packed tarball, installed with production dependencies only', function () {
  this.timeout(15 * 60_000);
  const temp = tempDir('otpledger-pack-');
  after(() => temp.remove());

  let tarball: string;
  let kitTarball: string;
  const app = path.join(temp.dir, 'app');

  before(() => {
    npm(['run', 'build'], repoRoot);
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', temp.dir], repoRoot)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const kit = JSON.parse(
      npm(['pack', '--ignore-scripts', '--json', '--workspace', '@otpledger/plugin-kit', '--pack-destination', temp.dir], repoRoot),
    ) as { filename: string }[];
    tarball = path.join(temp.dir, packed[0]!.filename);
    kitTarball = path.join(temp.dir, kit[0]!.filename);
    files = packed[0]!.files.map((file) => file.path);
  });
  let files: string[] = [];

  it('ships dist/ (JavaScript and declarations), config/, docs/, README and LICENSE, and nothing of test/, bench/ or the sources', () => {
    for (const wanted of [
      'dist/core/main.js',
      'dist/core/server.js',
      'dist/core/server.d.ts',
      'dist/cli/main.js',
      'dist/plugins/sms-twilio/index.js',
      'config/default.json',
      'config/production.example.json',
      'README.md',
      'LICENSE',
      'package.json',
      'docs/operations.md',
    ]) {
      expect(files, wanted).to.include(wanted);
    }
    expect(
      files.filter((file) => /^(test|bench|tools|packages)\//.test(file) || file.startsWith('dist/test') || file.startsWith('dist/bench')),
    ).to.deep.equal([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).to.deep.equal([]);
  });

  it('installs without devDependencies and serves with plain node: /readyz, a token, /metrics; SIGTERM exits 0; the otpledger command works', async () => {
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-test', private: true, type: 'module' }));
    // --ignore-scripts: better-sqlite3's would compile it (minutes); its binary is copied below instead
    npm(['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', kitTarball, tarball], app);
    const modules = readdirSync(path.join(app, 'node_modules'));
    for (const devOnly of ['tsx', 'typescript', 'mocha', 'eslint', 'autocannon']) expect(modules, devOnly).not.to.include(devOnly);
    const binary = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    mkdirSync(path.dirname(path.join(app, binary)), { recursive: true });
    if (!existsSync(path.join(app, binary))) copyFileSync(path.join(repoRoot, binary), path.join(app, binary));

    const data = path.join(temp.dir, 'data');
    const env = { ...cleanEnv(), PORT: '0', OTPLEDGER_METRICS_PORT: '0', OTPLEDGER_DATA_DIR: data };
    const child = spawn(process.execPath, ['node_modules/otpledger/dist/core/main.js'], { cwd: app, env });
    const exited = once(child, 'exit');
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let url: string | undefined;
    let metricsUrl: string | undefined;
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line) as { url?: string; metricsUrl?: string };
        if (entry.url) {
          url = entry.url;
          metricsUrl = entry.metricsUrl;
          child.stdout.resume();
          break;
        }
      }
      expect(url, stderr).to.be.a('string');
      expect((await fetch(`${url}/readyz`)).status).to.equal(200);
      const token = await fetch(`${url}/oidc/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'acme-web', client_secret: 'acme-web-secret' }),
      });
      expect(token.status).to.equal(200);
      expect((await fetch(`${url}/metrics`)).status).to.equal(404); // not on the API's listener
      expect(await (await fetch(metricsUrl!)).text()).to.contain(
        'otpledger_http_request_duration_seconds_count{method="POST",route="/oidc/token",status="200"} 1',
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect((await exited)[0], stderr).to.equal(0);

    const verify = spawn(path.join(app, 'node_modules', '.bin', 'otpledger'), ['audit', 'verify', '--tenant', 'acme'], { cwd: app, env });
    let output = '';
    verify.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    verify.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect((await once(verify, 'exit'))[0], output).to.equal(0);
    expect(output).to.contain('"ok": true');
  });
});
