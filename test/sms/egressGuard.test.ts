import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import got from 'got';
import { EGRESS_REFUSED, egressRefusal, SmsProviderError } from '@otpledger/plugin-kit';
import { EgressGuard, type Resolver } from '../../core/sms/egressGuard.js';

/** A resolver the test scripts: each call for a name answers the next list given for it (the last one repeats). */
function scriptedDns(answers: Record<string, string[][]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const script = answers[host];
    if (!script) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return script.length > 1 ? script.shift()! : script[0]!;
  };
  return Object.assign(resolve, { calls });
}

describe('the egress guard: provider addresses checked when used, connections pinned to what was checked', function () {
  this.timeout(20_000);
  let server: Server;
  let port: number;
  let received: string[];

  before(async () => {
    received = [];
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => (received = []));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (guard: EgressGuard, url: string) =>
    got(url, { agent: guard.services().agent, retry: { limit: 0 }, timeout: { request: 3000 } }).text();
  const refusalOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e,
    );
    const refusal = egressRefusal(error);
    expect(refusal, String(error)).not.to.equal(undefined);
    return refusal!.message;
  };

  it('connects to the address its check resolved: a second, different answer is never used (pinned)', async () => {
    // were the name resolved again to connect, the connection would go to 10.255.255.1 and fail
    const dns = scriptedDns({ 'gw.test': [['127.0.0.1'], ['10.255.255.1']] });
    const guard = new EgressGuard({ allowPrivateNetworks: true, ownAddresses: () => [], resolve: dns });
    try {
      expect(await get(guard, `http://gw.test:${port}/pinned`)).to.equal('ok');
      expect(received).to.deep.equal(['GET /pinned']);
      expect(dns.calls).to.deep.equal(['gw.test']);
    } finally {
      guard.close();
    }
  });

  it('refuses a name that resolves to a private address at connection time (DNS rebinding), before connecting', async () => {
    // the configuration was checked when the name pointed elsewhere: the connection is checked again
    const dns = scriptedDns({ 'gw.test': [['93.184.215.14'], ['127.0.0.1']] });
    const guard = new EgressGuard({ allowPrivateNetworks: false, ownAddresses: () => [], resolve: dns });
    try {
      expect(await guard.settingsProblem({ url: `http://gw.test:${port}/` })).to.equal(undefined);
      expect(await refusalOf(get(guard, `http://gw.test:${port}/rebound`))).to.equal(
        'gw.test resolves to 127.0.0.1, a loopback address; the operator must set sms.allowPrivateNetworks to allow private networks',
      );
      expect(received).to.deep.equal([]);
    } finally {
      guard.close();
    }
  });

  it('refuses a name with any refused address among its answers', async () => {
    const guard = new EgressGuard({
      allowPrivateNetworks: false,
      ownAddresses: () => [],
      resolve: scriptedDns({ 'mixed.test': [['93.184.215.14', '169.254.169.254']] }),
    });
    try {
      expect(await refusalOf(get(guard, `http://mixed.test:${port}/`))).to.match(
        /^mixed\.test resolves to 169\.254\.169\.254, a link-local address, which is never allowed$/,
      );
    } finally {
      guard.close();
    }
  });

  it('refuses IP literals (which never reach a lookup) over http and https, before connecting', async () => {
    const guard = new EgressGuard({ allowPrivateNetworks: false, ownAddresses: () => [] });
    try {
      for (const url of [
        `http://127.0.0.1:${port}/x`,
        `https://127.0.0.1:${port}/x`,
        `http://[::ffff:7f00:1]:${port}/x`,
        `http://[::1]:${port}/x`,
      ]) {
        expect(await refusalOf(get(guard, url)), url).to.match(/is (a loopback address|the IPv4-mapped form of a loopback address)/);
      }
      expect(received).to.deep.equal([]);
    } finally {
      guard.close();
    }
  });

  it('refuses a name that does not resolve, at check and at connection time', async () => {
    const guard = new EgressGuard({ allowPrivateNetworks: true, ownAddresses: () => [] });
    try {
      expect(await guard.settingsProblem({ nested: { gateway_url: 'https://sms-gateway.invalid/send' } })).to.match(
        /^\/nested\/gateway_url: sms-gateway\.invalid does not resolve \(ENOTFOUND\)$/,
      );
      expect(await refusalOf(get(guard, 'http://sms-gateway.invalid/'))).to.match(/does not resolve/);
    } finally {
      guard.close();
    }
  });

  it('finds a refused URL anywhere in provider settings, naming its JSON path; other values are not URLs', async () => {
    const guard = new EgressGuard({ allowPrivateNetworks: false, ownAddresses: () => [] });
    try {
      expect(await guard.settingsProblem({ a: 'not a url', b: { c: ['x', 'http://169.254.169.254/latest/meta-data'] } })).to.equal(
        '/b/c/1: 169.254.169.254 is a link-local address, which is never allowed',
      );
      expect(await guard.settingsProblem({ gateway_url: 'https://93.184.215.14/sms', note: 'ftp://127.0.0.1/' })).to.equal(undefined);
    } finally {
      guard.close();
    }
  });

  it('checks a URL learned at run time: http(s) only, its host resolved and checked', async () => {
    const guard = new EgressGuard({ allowPrivateNetworks: true, ownAddresses: () => [] });
    try {
      await guard.checkUrl(`http://127.0.0.1:${port}/`);
      for (const [url, problem] of [
        ['ftp://example.com/', /ftp: URLs are not allowed/],
        ['javascript:alert(1)', /javascript: URLs are not allowed/],
        ['not a url', /is not a URL/],
        ['http://169.254.169.254/', /link-local/],
      ] as const) {
        const error = await guard.checkUrl(url).then(
          () => expect.fail(url),
          (e: unknown) => e as SmsProviderError,
        );
        expect(error, url).to.be.instanceOf(SmsProviderError);
        expect(error.code).to.equal('invalid_config');
        expect(error.message, url).to.match(problem);
      }
    } finally {
      guard.close();
    }
  });

  it('marks every refusal with the kit code, so plugins map it as a configuration problem', async () => {
    const guard = new EgressGuard({ allowPrivateNetworks: false, ownAddresses: () => [] });
    try {
      const error = await get(guard, `http://127.0.0.1:${port}/`).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(error?.code).to.equal(EGRESS_REFUSED);
    } finally {
      guard.close();
    }
  });
});
