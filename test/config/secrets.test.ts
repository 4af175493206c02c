import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK } from 'jose';
import { ConfigError } from '../../core/config/configError.js';
import { loadSecrets } from '../../core/config/secrets.js';
import { SecretBox } from '../../core/crypto/secretBox.js';
import { ProviderSecrets } from '../../core/sms/providerSecrets.js';
import { captureLogger } from '../support/captureLogger.js';
import { tempDir } from '../support/tempDir.js';
import { testConfig } from '../support/testConfig.js';

describe('loadSecrets', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('generates development keys once into <dataDir>/secrets (0600), reuses them, and warns loudly', async () => {
    const config = testConfig(temp.dir);
    const first = captureLogger();
    const secrets = await loadSecrets(config, first.logger, {});

    expect(secrets.masterKey).to.have.length(32);
    expect(secrets.hmacKey).to.have.length(32);
    expect(secrets.masterKey.equals(secrets.hmacKey)).to.equal(false);
    expect(secrets.masterKeyId).to.match(/^[0-9a-f]{16}$/);
    for (const file of ['master.key', 'hmac.key', 'signing-key.jwk.json']) {
      expect(statSync(path.join(temp.dir, 'secrets', file)).mode & 0o777).to.equal(0o600);
    }
    const warning = first.lines.find((line) => line.level === 40);
    expect(warning?.msg).to.match(/^USING DEVELOPMENT KEYS/);
    expect(warning?.devKeys).to.deep.equal(['OTPLEDGER_MASTER_KEY', 'OTPLEDGER_HMAC_KEY', 'OTPLEDGER_SIGNING_KEY']);

    const again = await loadSecrets(config, captureLogger().logger, {});
    expect(again.masterKey.equals(secrets.masterKey)).to.equal(true);
    expect(again.hmacKey.equals(secrets.hmacKey)).to.equal(true);
    expect(again.signingKey.kid).to.equal(secrets.signingKey.kid);
  });

  it('gives an ES256 signing key whose public JWK verifies what the private key signs', async () => {
    const { signingKey } = await loadSecrets(testConfig(temp.dir), captureLogger().logger, {});
    expect(signingKey.publicJwk).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: signingKey.kid });
    expect(signingKey.publicJwk).not.to.have.property('d');
    const jws = await new CompactSign(new TextEncoder().encode('hello'))
      .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid })
      .sign(signingKey.privateKey);
    const { payload } = await compactVerify(jws, await importJWK(signingKey.publicJwk, 'ES256'));
    expect(new TextDecoder().decode(payload)).to.equal('hello');
  });

  it('takes keys from the environment or from _FILE variables, without warning', async () => {
    const master = randomBytes(32);
    const hmac = randomBytes(32);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'prod-2026' };
    const hmacFile = path.join(temp.dir, 'hmac.b64');
    writeFileSync(hmacFile, `${hmac.toString('base64')}\n`);
    const { logger, lines } = captureLogger();

    const secrets = await loadSecrets(testConfig(temp.dir), logger, {
      OTPLEDGER_MASTER_KEY: master.toString('base64'),
      OTPLEDGER_HMAC_KEY_FILE: hmacFile,
      OTPLEDGER_SIGNING_KEY: JSON.stringify(jwk),
    });

    expect(secrets.masterKey.equals(master)).to.equal(true);
    expect(secrets.hmacKey.equals(hmac)).to.equal(true);
    expect(secrets.signingKey.kid).to.equal('prod-2026');
    expect(lines.filter((line) => line.level >= 40)).to.deep.equal([]);
  });

  it('rotates the master key: the new key seals, the keys in OTPLEDGER_PREVIOUS_MASTER_KEYS still open old values', async () => {
    const config = testConfig(temp.dir);
    const old = randomBytes(32).toString('base64');
    const before = await loadSecrets(config, captureLogger().logger, { OTPLEDGER_MASTER_KEY: old });
    const sealed = new ProviderSecrets(new SecretBox({ id: before.masterKeyId, key: before.masterKey }))
      .seal('acme', 'CustomGateway', ['/api_key'], { uri: 'https://gw.example', api_key: 'k-123456789012' });

    const after = await loadSecrets(config, captureLogger().logger, {
      OTPLEDGER_MASTER_KEY: randomBytes(32).toString('base64'), OTPLEDGER_PREVIOUS_MASTER_KEYS: `${old}, ${randomBytes(32).toString('base64')}`,
    });
    expect(after.previousMasterKeys.map((k) => k.id)).to.include(before.masterKeyId);
    const box = new ProviderSecrets(new SecretBox({ id: after.masterKeyId, key: after.masterKey }, after.previousMasterKeys));
    expect(box.open('acme', 'CustomGateway', ['/api_key'], sealed).api_key).to.equal('k-123456789012');
    const resealed = box.seal('acme', 'CustomGateway', ['/api_key'], { api_key: 'k-123456789012' }).api_key as string;
    expect(resealed.split(':')[2]).to.equal(after.masterKeyId);

    let error: unknown;
    try {
      await loadSecrets(config, captureLogger().logger, { OTPLEDGER_MASTER_KEY: old, OTPLEDGER_PREVIOUS_MASTER_KEYS: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.contain('OTPLEDGER_PREVIOUS_MASTER_KEYS');
  });

  it('refuses keys of the wrong size or kind with a message naming the variable', async () => {
    const config = testConfig(temp.dir);
    const attempt = async (env: NodeJS.ProcessEnv) => {
      try {
        await loadSecrets(config, captureLogger().logger, env);
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as Error).message;
      }
      expect.fail('expected a ConfigError');
    };
    expect(await attempt({ OTPLEDGER_MASTER_KEY: randomBytes(16).toString('base64') })).to.match(/^OTPLEDGER_MASTER_KEY must be 32 random bytes/);
    expect(await attempt({ OTPLEDGER_HMAC_KEY: 'not base64 at all!' })).to.match(/^OTPLEDGER_HMAC_KEY must be 32 random bytes/);
    expect(await attempt({ OTPLEDGER_SIGNING_KEY: '{"kty":"oct","k":"abc"}' })).to.match(/^OTPLEDGER_SIGNING_KEY must be a private EC P-256 JWK/);
    expect(await attempt({ OTPLEDGER_SIGNING_KEY_FILE: path.join(temp.dir, 'nope.json') })).to.match(/^OTPLEDGER_SIGNING_KEY_FILE: cannot read/);
  });

  it('with developmentKeys off (the production example), refuses to start without every secret, naming the missing ones, and writes no key', async () => {
    const config = testConfig(temp.dir, { secrets: { developmentKeys: false } });
    const keyFile = path.join(temp.dir, 'hmac.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64'));
    let error: unknown;
    try {
      await loadSecrets(config, captureLogger().logger, { OTPLEDGER_HMAC_KEY_FILE: keyFile });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(/^missing secrets OTPLEDGER_MASTER_KEY, OTPLEDGER_SIGNING_KEY: give each in its environment variable or in a file named by <NAME>_FILE/);
    expect(() => statSync(path.join(temp.dir, 'secrets'))).to.throw();

    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const env = { OTPLEDGER_MASTER_KEY: randomBytes(32).toString('base64'), OTPLEDGER_HMAC_KEY_FILE: keyFile, OTPLEDGER_SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)) };
    const { logger, lines } = captureLogger();
    await loadSecrets(config, logger, env);
    expect(JSON.stringify(lines)).not.to.contain('DEVELOPMENT KEYS');
  });
});
