import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../support/otpServer.js';
import { tempDir } from '../support/tempDir.js';
import { selfSignedCertificate, startTlsTerminator, type TlsTerminator } from '../support/tlsTerminator.js';
import { scenarios, type SdkEnvironment } from './auth0Sdks/scenarios.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Auth0's official SDKs (`auth0` ManagementClient, `auth0/legacy` AuthenticationClient and UserInfoClient,
 * `@auth0/auth0-auth-js`) and openid-client, unchanged, against a real listening otpledger. They only speak
 * `https://<domain>`, so the test puts a TLS terminator in front of it with a certificate made for this run, and
 * runs the SDKs in a child process that trusts it through NODE_EXTRA_CA_CERTS, read once at process start.
 * otpledger's issuer is Auth0's form, `https://<domain>/`.
 */
describe('Auth0 SDKs, unchanged, through TLS to a real otpledger', function () {
  this.timeout(120_000);
  let t: TestServer;
  let tls: TlsTerminator;
  let temp: ReturnType<typeof tempDir>;
  const results = new Map<string, { ok: boolean; error?: string; stack?: string }>();

  before(async () => {
    temp = tempDir();
    const certificate = await selfSignedCertificate();
    const caFile = path.join(temp.dir, 'test-ca.pem');
    writeFileSync(caFile, certificate.cert);
    tls = await startTlsTerminator(certificate);
    const domain = `localhost:${tls.port}`;
    t = await startOtpServer({ overlay: { oidc: { issuer: `https://${domain}/` } } });
    tls.forwardTo(t.server.port);

    const environment: SdkEnvironment = {
      domain,
      web: { clientId: 'acme-web', clientSecret: 'acme-web-secret' },
      admin: { clientId: 'acme-admin', clientSecret: 'acme-admin-secret' },
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/auth0Sdks/runScenarios.ts'], {
      cwd: repoRoot,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, SDK_ENVIRONMENT: JSON.stringify(environment) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    for (const line of stdout.split('\n').filter(Boolean)) {
      const { name, ...result } = JSON.parse(line) as { name: string; ok: boolean; error?: string };
      results.set(name, result);
    }
    if (code !== 0 && results.size === 0) throw new Error(`the SDK process failed (${code}): ${stderr}`);
  });
  after(async () => {
    await tls?.close();
    await t?.close();
    temp?.remove();
  });

  for (const { name } of scenarios) {
    it(name, () => {
      const result = results.get(name);
      expect(result, 'the scenario did not report').to.not.equal(undefined);
      expect(result!.ok, `${result!.error}\n${result!.stack ?? ''}`).to.equal(true);
    });
  }
});
