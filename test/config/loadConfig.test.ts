import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../core/config/configError.js';
import { loadConfig } from '../../core/config/loadConfig.js';
import { tempDir, writeJson } from '../support/tempDir.js';

describe('loadConfig', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  const overlay = (value: unknown) => writeJson(temp.dir, 'overlay.json', value);

  function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
    try {
      loadConfig({ env });
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return error as ConfigError;
    }
    expect.fail('expected a ConfigError');
  }

  it('gives a working default: 127.0.0.1:8080, ./data, the SQLite store inside it, the demo tenant', () => {
    const config = loadConfig({ env: {} });
    expect(config.server).to.deep.equal({
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 102400,
      shutdownTimeoutMs: 10000,
      trustedProxies: [],
    });
    expect(config.dataDir).to.equal('./data');
    expect(config.eventStore.url).to.equal('sqlite:data/otpledger.db');
    expect(config.log.level).to.equal('info');
    expect(config.oidc.accessTokenTtlSeconds).to.equal(3600);
    expect(config.oidc.issuer).to.equal(undefined);
    expect(config.plugins).to.deep.equal([]);
    expect(config.bootstrap.tenants.map((tenant) => tenant.id)).to.deep.equal(['acme']);
    expect(config.bootstrap.tenants[0]?.applications.map((app) => [app.client_id, app.role])).to.deep.equal([
      ['acme-web', 'app'],
      ['acme-admin', 'management'],
      ['acme-audit', 'auditor'],
      ['acme-mobile', 'app'],
    ]);
    expect(config.bootstrap.tenants[0]?.applications[3])
      .to.include({ token_endpoint_auth_method: 'none' })
      .and.not.have.property('client_secret');
  });

  it('fills defaults for sections and fields a file leaves out', () => {
    const defaultsFile = writeJson(temp.dir, 'defaults.json', {});
    const config = loadConfig({ env: {}, defaultsFile });
    expect(config.server.port).to.equal(8080);
    expect(config.dev.outbox).to.equal(false);
    expect(config.bootstrap.tenants).to.deep.equal([]);
  });

  it('deep-merges the OTPLEDGER_CONFIG overlay: objects key by key, arrays replaced', () => {
    const file = overlay({ server: { port: 9000 }, bootstrap: { tenants: [] }, plugins: ['otpledger-sms-x'] });
    const config = loadConfig({ env: { OTPLEDGER_CONFIG: file } });
    expect(config.server.port).to.equal(9000);
    expect(config.server.host).to.equal('127.0.0.1');
    expect(config.bootstrap.tenants).to.deep.equal([]);
    expect(config.plugins).to.deep.equal(['otpledger-sms-x']);
  });

  it('lets the environment override the files', () => {
    const file = overlay({ server: { port: 9000, host: '10.0.0.1' }, log: { level: 'debug' } });
    const config = loadConfig({
      env: {
        OTPLEDGER_CONFIG: file,
        PORT: '0',
        HOST: '::1',
        OTPLEDGER_DATA_DIR: '/var/lib/otpledger',
        OTPLEDGER_LOG_LEVEL: 'warn',
      },
    });
    expect(config.server).to.include({ port: 0, host: '::1' });
    expect(config.dataDir).to.equal('/var/lib/otpledger');
    expect(config.eventStore.url).to.equal('sqlite:/var/lib/otpledger/otpledger.db');
    expect(config.log.level).to.equal('warn');
  });

  it('keeps an explicit event store URL, from a file or OTPLEDGER_EVENT_STORE_URL', () => {
    const file = overlay({ eventStore: { url: 'sqlite:/tmp/elsewhere.db' } });
    expect(loadConfig({ env: { OTPLEDGER_CONFIG: file } }).eventStore.url).to.equal('sqlite:/tmp/elsewhere.db');
    const url = 'kurrentdb://localhost:2113?tls=false';
    expect(loadConfig({ env: { OTPLEDGER_EVENT_STORE_URL: url } }).eventStore.url).to.equal(url);
  });

  it("keeps subject keys in the PostgreSQL event store's database unless told otherwise", () => {
    const url = 'postgres://otpledger@db.internal:5432/otpledger?schema=ledger';
    expect(loadConfig({ env: { OTPLEDGER_EVENT_STORE_URL: url } }).keyStore.url).to.equal(url);
    expect(loadConfig({ env: { OTPLEDGER_EVENT_STORE_URL: 'PostgreSQL://db/x' } }).keyStore.url).to.equal('PostgreSQL://db/x');
    expect(loadConfig({ env: { OTPLEDGER_EVENT_STORE_URL: 'kurrentdb://h:2113' } }).keyStore.url).to.match(/^sqlite:.*subject-keys\.db$/);
  });

  it('accepts the bootstrap shape of the public interface exactly as documented', () => {
    const documented = {
      bootstrap: {
        tenants: [
          {
            id: 'acme',
            name: 'Acme',
            applications: [
              {
                name: 'Acme web',
                client_id: 'acme-web',
                client_secret: 'acme-web-secret',
                role: 'app',
                redirect_uris: ['https://acme.example/verify'],
                public_signup: true,
                otp: { code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 },
              },
              { name: 'Acme admin', client_id: 'acme-admin', client_secret: 'acme-admin-secret', role: 'management' },
            ],
          },
        ],
      },
      dev: { outbox: true },
    };
    const config = loadConfig({ env: { OTPLEDGER_CONFIG: overlay(documented) } });
    expect(config.dev.outbox).to.equal(true);
    const admin = config.bootstrap.tenants[0]?.applications[1];
    expect(admin).to.deep.include({ role: 'management', public_signup: false, redirect_uris: [] });
    expect(admin?.otp).to.deep.equal({ code_length: 6, expires_in_minutes: 5, max_failed_attempts: 3, lockout_minutes: 15 });
  });

  it('refuses wrong types and unknown keys with one message listing every problem and its path', () => {
    const file = overlay({
      server: { port: '8080', hots: 'x' },
      logging: {},
      dev: { outbox: 'yes' },
      bootstrap: {
        tenants: [
          {
            id: 'acme',
            name: 'Acme',
            applications: [{ name: 'a', client_id: 'a', client_secret: 's', role: 'root', otp: { code_length: 12 } }],
          },
        ],
      },
    });
    const error = configErrorOf({ OTPLEDGER_CONFIG: file, OTPLEDGER_LOG_LEVEL: 'loud' });
    expect(error.message).to.equal(
      'invalid configuration: ' +
        [
          '/logging is not allowed (unknown key)',
          '/server/hots is not allowed (unknown key)',
          '/server/port must be integer',
          '/log/level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (from OTPLEDGER_LOG_LEVEL)',
          '/dev/outbox must be boolean',
          '/bootstrap/tenants/0/applications/0/role must be one of "app", "management", "auditor"',
          '/bootstrap/tenants/0/applications/0/otp/code_length must be <= 10',
        ].join('; '),
    );
  });

  it('says which variable set a bad value', () => {
    expect(configErrorOf({ PORT: 'eighty' }).message).to.equal('invalid configuration: /server/port must be integer (from PORT)');
    expect(configErrorOf({ OTPLEDGER_EVENT_STORE_URL: 'mysql://x' }).message).to.match(
      /^invalid configuration: \/eventStore\/url must match pattern .* \(from OTPLEDGER_EVENT_STORE_URL\)$/,
    );
  });

  it('names an overlay file it cannot read or parse', () => {
    expect(configErrorOf({ OTPLEDGER_CONFIG: `${temp.dir}/missing.json` }).message).to.match(
      /^OTPLEDGER_CONFIG: cannot read .*missing\.json/,
    );
    const broken = path.join(temp.dir, 'broken.json');
    writeFileSync(broken, '{ "server": ');
    expect(configErrorOf({ OTPLEDGER_CONFIG: broken }).message).to.match(/^OTPLEDGER_CONFIG: .*broken\.json is not valid JSON/);
    const notAnObject = writeJson(temp.dir, 'list.json', []);
    expect(configErrorOf({ OTPLEDGER_CONFIG: notAnObject }).message).to.match(/list\.json must hold a JSON object$/);
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.server)).to.equal(true);
    expect(Object.isFrozen(config.bootstrap.tenants[0]?.applications[0]?.otp)).to.equal(true);
  });
});
