import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('generates an RS256 development key beside the ES256 one, and both sign what their public JWKs verify', async () => {
    const config = testConfig(temp.dir);
    rmSync(path.join(temp.dir, 'secrets', 'signing-key-rs256.jwk.json')); // testConfig lays a shared one: generate it here
    const { signingKeys } = await loadSecrets(config, captureLogger().logger, {});
    expect(statSync(path.join(temp.dir, 'secrets', 'signing-key-rs256.jwk.json')).mode & 0o777).to.equal(0o600);
    expect(signingKeys.map((key) => key.alg)).to.deep.equal(['ES256', 'RS256']);
    const rsa = signingKeys[1]!;
    expect(rsa.publicJwk).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: rsa.kid });
    expect(rsa.publicJwk).not.to.have.property('d');
    const jws = await new CompactSign(new TextEncoder().encode('hello'))
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .sign(rsa.privateKey);
    expect(new TextDecoder().decode((await compactVerify(jws, await importJWK(rsa.publicJwk, 'RS256'))).payload)).to.equal('hello');
  });

  it('reads one JWK, an array or a JWK Set, and refuses what cannot sign, naming the key', async () => {
    const env = (value: unknown) => ({ OTPLEDGER_SIGNING_KEY: JSON.stringify(value) });
    const ec = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const rsa = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
    const load = (value: unknown) => loadSecrets(testConfig(temp.dir), captureLogger().logger, env(value));
    expect((await load([ec, rsa])).signingKeys.map((key) => key.alg)).to.deep.equal(['ES256', 'RS256']);
    expect((await load({ keys: [rsa, ec] })).signingKey.alg).to.equal('ES256');

    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    const refusals: [unknown, RegExp][] = [
      [[ec, await exportJWK(publicKey)], /key 1 must be a private EC P-256 JWK .* or a private RSA JWK/],
      [[ec, weak], /key 1: an RSA key must have at least 2048 bits/],
      [[rsa], /needs an EC P-256 key \(ES256\)/],
      [{ ...ec, alg: 'ES384' }, /signs ES256, not ES384/],
      [
        [
          { ...ec, kid: 'k' },
          { ...rsa, kid: 'k' },
        ],
        /two keys have the kid "k"/,
      ],
      [{ keys: [] }, /holds no key/],
    ];
    for (const [value, message] of refusals) {
      const error = await load(value).catch((thrown: unknown) => thrown);
      expect(error, JSON.stringify(message.source)).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.match(message);
    }
  });

  it('warns when the environment gives no RSA key: RS256 tokens fall back to ES256', async () => {
    const ec = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const { logger, lines } = captureLogger();
    const secrets = await loadSecrets(testConfig(temp.dir), logger, { OTPLEDGER_SIGNING_KEY: JSON.stringify(ec) });
    expect(secrets.signingKeys).to.have.length(1);
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).to.satisfy((msgs: string[]) =>
      msgs.some((msg) => /has no RSA key/.test(msg)),
    );
  });

  it('takes keys from the environment or from _FILE variables, without warning', async () => {
    const master = randomBytes(32);
    const hmac = randomBytes(32);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'prod-2026' };
    const rsa = { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), kid: 'prod-2026-rsa' };
    const hmacFile = path.join(temp.dir, 'hmac.b64');
    writeFileSync(hmacFile, `${hmac.toString('base64')}\n`);
    const { logger, lines } = captureLogger();

    const secrets = await loadSecrets(testConfig(temp.dir), logger, {
      OTPLEDGER_MASTER_KEY: master.toString('base64'),
      OTPLEDGER_HMAC_KEY_FILE: hmacFile,
      OTPLEDGER_SIGNING_KEY: JSON.stringify({ keys: [jwk, rsa] }),
    });

    expect(secrets.masterKey.equals(master)).to.equal(true);
    expect(secrets.hmacKey.equals(hmac)).to.equal(true);
    expect(secrets.signingKey.kid).to.equal('prod-2026');
    expect(secrets.signingKeys.map(({ kid, alg }) => `${kid} ${alg}`)).to.deep.equal(['prod-2026 ES256', 'prod-2026-rsa RS256']);
    expect(lines.filter((line) => line.level >= 40)).to.deep.equal([]);
  });

  it('rotates the master key: the new key seals, the keys in OTPLEDGER_PREVIOUS_MASTER_KEYS still open old values', async () => {
    const config = testConfig(temp.dir);
    const old = randomBytes(32).toString('base64');
    const before = await loadSecrets(config, captureLogger().logger, { OTPLEDGER_MASTER_KEY: old });
    const sealed = new ProviderSecrets(new SecretBox({ id: before.masterKeyId, key: before.masterKey })).seal(
      'acme',
      'CustomGateway',
      ['/api_key'],
      { uri: 'https://gw.example', api_key: 'k-123456789012' },
    );

    const after = await loadSecrets(config, captureLogger().logger, {
      OTPLEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
      OTPLEDGER_PREVIOUS_MASTER_KEYS: `${old}, ${randomBytes(32).toString('base64')}`,
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
    expect(await attempt({ OTPLEDGER_MASTER_KEY: randomBytes(16).toString('base64') })).to.match(
      /^OTPLEDGER_MASTER_KEY must be 32 random bytes/,
    );
    expect(await attempt({ OTPLEDGER_HMAC_KEY: 'not base64 at all!' })).to.match(/^OTPLEDGER_HMAC_KEY must be 32 random bytes/);
    expect(await attempt({ OTPLEDGER_SIGNING_KEY: '{"kty":"oct","k":"abc"}' })).to.match(
      /^OTPLEDGER_SIGNING_KEY must be a private EC P-256 JWK/,
    );
    expect(await attempt({ OTPLEDGER_SIGNING_KEY_FILE: path.join(temp.dir, 'nope.json') })).to.match(
      /^OTPLEDGER_SIGNING_KEY_FILE: cannot read/,
    );
  });

  it('with developmentKeys off (the production example), refuses to start without every secret, naming the missing ones, and writes no key', async () => {
    const config = testConfig(temp.dir, { secrets: { developmentKeys: false } });
    rmSync(path.join(temp.dir, 'secrets'), { recursive: true, force: true }); // the RS256 key testConfig lays for speed
    const keyFile = path.join(temp.dir, 'hmac.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64'));
    let error: unknown;
    try {
      await loadSecrets(config, captureLogger().logger, { OTPLEDGER_HMAC_KEY_FILE: keyFile });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(
      /^missing secrets OTPLEDGER_MASTER_KEY, OTPLEDGER_SIGNING_KEY: give each in its environment variable or in a file named by <NAME>_FILE/,
    );
    expect(() => statSync(path.join(temp.dir, 'secrets'))).to.throw();

    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const env = {
      OTPLEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
      OTPLEDGER_HMAC_KEY_FILE: keyFile,
      OTPLEDGER_SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)),
    };
    const { logger, lines } = captureLogger();
    await loadSecrets(config, logger, env);
    expect(JSON.stringify(lines)).not.to.contain('DEVELOPMENT KEYS');
  });
});
