import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { tempDir } from './support/tempDir.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** `npm start` without npm: the same entry point, our data dir, a free port, nothing inherited from the shell. */
function startMain(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTPLEDGER_') && name !== 'PORT' && name !== 'HOST'),
  );
  return spawn(process.execPath, ['--import', 'tsx', 'core/main.ts'], { cwd: repoRoot, env: { ...inherited, ...env } });
}

/** Resolves with the URL from the "listening" log line. */
async function listeningUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  for await (const line of createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line) as { url?: string };
    if (entry.url) {
      child.stdout.resume(); // keep draining: a full pipe would block the child
      return entry.url;
    }
  }
  throw new Error('the server exited before listening');
}

describe('main (npm start)', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('serves /healthz with the default config, then exits 0 on SIGTERM', async () => {
    const child = startMain({ OTPLEDGER_DATA_DIR: temp.dir, PORT: '0' });
    const exited = once(child, 'exit');
    try {
      const url = await listeningUrl(child);
      const response = await fetch(`${url}/healthz`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ status: 'ok' });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).to.equal(0);
  });

  it('on the production example without secrets exits 1 with one line naming each missing secret, and generates none', async () => {
    const child = startMain({ OTPLEDGER_DATA_DIR: temp.dir, PORT: '0', OTPLEDGER_CONFIG: 'config/production.example.json' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).to.equal(1);
    expect(stderr.trim()).to.match(
      /^otpledger: missing secrets OTPLEDGER_MASTER_KEY, OTPLEDGER_HMAC_KEY, OTPLEDGER_SIGNING_KEY: give each in its environment variable or in a file named by <NAME>_FILE \(development keys are off/,
    );
    expect(stderr.trim().split('\n')).to.have.length(1);
  });

  it('prints one line naming the problem and exits 1 when the config is wrong', async () => {
    const child = startMain({ OTPLEDGER_DATA_DIR: temp.dir, PORT: 'eighty', OTPLEDGER_LOG_LEVEL: 'loud' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).to.equal(1);
    expect(stderr.trim()).to.equal(
      'otpledger: invalid configuration: /server/port must be integer (from PORT); ' +
        '/log/level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (from OTPLEDGER_LOG_LEVEL)',
    );
  });
});
