import net from 'node:net';
import { Router } from '@koa/router';
import { asFunction, asValue } from 'awilix';
import { expect } from 'chai';
import type { Cradle } from '../../core/cradle.js';
import { createApp } from '../../core/http/app.js';
import type { AppState } from '../../core/http/types.js';
import { startServer, type RunningServer } from '../../core/server.js';
import { compileSchema } from '../../core/validation/compileSchema.js';
import { MAX_NESTING_DEPTH } from '../../core/validation/nestingDepth.js';
import { captureLogger, type LogLine } from '../support/captureLogger.js';
import { prototypeKeys } from '../support/malformedRequests.js';
import { tempDir } from '../support/tempDir.js';
import { testConfig } from '../support/testConfig.js';

/** What a route sees of the request: the body and query, and whether they have a prototype. */
const echoRoutes = () =>
  new Router<AppState>()
    .post('/test/echo', (ctx) => {
      const body = ctx.request.body as object;
      ctx.body = {
        body,
        query: ctx.query,
        bodyPrototype: Object.getPrototypeOf(body) === null ? null : 'object',
        queryPrototype: Object.getPrototypeOf(ctx.query) === null ? null : 'object',
      };
    })
    .post('/test/strict', (ctx) => {
      ctx.body = compileSchema({ type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } })(ctx.request.body);
    });

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('untrusted input: parsed into null-prototype objects, nesting capped, malformed frames answered', function () {
  this.timeout(20_000);
  let temp: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let lines: LogLine[];
  let started: number;

  before(async () => {
    temp = tempDir();
    const capture = captureLogger();
    lines = capture.lines;
    server = await startServer({
      config: testConfig(temp.dir),
      overrides: {
        logger: asValue(capture.logger),
        app: asFunction((cradle: Cradle) => createApp(cradle, { routes: [echoRoutes] })).singleton(),
      },
    });
    started = lines.length; // the start-up warnings (development keys) are not under test
  });
  after(async () => {
    await server.close();
    temp.remove();
  });

  const post = async (path: string, type: string, body: string) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('keeps form fields and query keys named like Object.prototype members as plain fields', async () => {
    const fields = prototypeKeys.map((key) => `${encodeURIComponent(key)}=x`).join('&');
    const { status, body } = await post(`/test/echo?${fields}&toString=y`, 'application/x-www-form-urlencoded', `${fields}&valueOf=again`);
    expect(status).to.equal(200);
    expect(body.bodyPrototype).to.equal(null);
    expect(body.queryPrototype).to.equal(null);
    expect(body.body).to.deep.equal({ ...Object.fromEntries(prototypeKeys.map((key) => [key, 'x'])), valueOf: ['x', 'again'] });
    expect(body.query).to.deep.equal({ ...Object.fromEntries(prototypeKeys.map((key) => [key, 'x'])), toString: ['x', 'y'] });
  });

  it('reads a body whatever its Content-Type looks like around the type, as type-is did, and refuses a charset other than utf-8', async () => {
    for (const type of [
      'application/json',
      'Application/JSON; charset=UTF-8',
      'application/json;',
      'application/json; charset=utf-8;',
      'application/json;;charset=utf-8',
      'application/json;charset',
      'application/vnd.api+json',
    ]) {
      const { status, body } = await post('/test/echo', type, '{"name":"ann"}');
      expect([type, status, body.body]).to.deep.equal([type, 200, { name: 'ann' }]);
    }
    for (const type of ['application/x-www-form-urlencoded;', 'application/x-www-form-urlencoded; charset=utf-8']) {
      const { status, body } = await post('/test/echo', type, 'name=ann');
      expect([type, status, body.body]).to.deep.equal([type, 200, { name: 'ann' }]);
    }
    const latin = await post('/test/echo', 'application/json; charset=latin1', '{"name":"ann"}');
    expect(latin.status).to.equal(415);
  });

  it('keeps JSON keys named like members as plain keys, at every level', async () => {
    const { status, body } = await post(
      '/test/echo',
      'application/json',
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"a":[{"toString":"s"}]}',
    );
    expect(status).to.equal(200);
    expect(body.bodyPrototype).to.equal(null);
    expect(body.body).to.deep.equal({ ['__proto__']: { polluted: 1 }, constructor: { prototype: { x: 1 } }, a: [{ toString: 's' }] });
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    // a schema refuses them like any unknown key, instead of throwing on an inherited function
    const refused = await post('/test/strict', 'application/x-www-form-urlencoded', 'toString=1&hasOwnProperty=2&name=n');
    expect(refused.status).to.equal(400);
    expect(refused.body.error_description).to.equal('/toString is not allowed (unknown key); /hasOwnProperty is not allowed (unknown key)');
  });

  it(`accepts JSON nested ${MAX_NESTING_DEPTH} levels deep and refuses one level more with 400, before parsing`, async () => {
    expect((await post('/test/echo', 'application/json', nested(MAX_NESTING_DEPTH))).status).to.equal(200);
    for (const text of [nested(MAX_NESTING_DEPTH + 1), nested(3000), `${'['.repeat(40_000)}${']'.repeat(40_000)}`]) {
      const { status, body } = await post('/test/echo', 'application/merge-patch+json', text);
      expect(status).to.equal(400);
      expect(body).to.deep.equal({
        error: 'invalid_request',
        error_description: `request body nests deeper than ${MAX_NESTING_DEPTH} levels`,
      });
    }
    // brackets inside strings are text, not nesting
    expect((await post('/test/echo', 'application/json', JSON.stringify({ name: '{['.repeat(1000) }))).status).to.equal(200);
  });

  it('answers a number too large for a double with 400', async () => {
    const { status, body } = await post('/test/echo', 'application/json', '{"limit":1e999}');
    expect(status).to.equal(400);
    expect(body.error_description).to.equal('request body: /limit must be a finite number');
  });

  it('logs no stack and nothing above info for any of these client mistakes', () => {
    expect(lines.slice(started).filter((line) => line.level >= 40 || line.err?.stack)).to.deep.equal([]);
  });

  it('answers malformed HTTP frames as node would, with a request id and a JSON body, logged at debug only', async () => {
    const frames = [
      'GARBAGE\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    ];
    const before = lines.length;
    for (const frame of frames) {
      const answer = await sendRaw(server.port, frame);
      expect(answer, JSON.stringify(frame.slice(0, 60))).to.match(/^HTTP\/1\.1 4(00|31) /);
      const id = /X-Request-Id: ([\w-]+)/.exec(answer)?.[1];
      expect(id).to.be.a('string');
      expect(answer).to.match(/\r\n\r\n\{"error":"invalid_request","error_description":"[^"]+"\}$/);
      expect(
        lines.slice(before).some((line) => line.reqId === id && line.level === 20),
        `a debug line for ${id}`,
      ).to.equal(true);
    }
    // the one request that got as far as the app has its ordinary request line; nothing is logged as a failure
    expect(lines.slice(before).filter((line) => line.level >= 40 || line.err)).to.deep.equal([]);
  });
});

/** Writes `frame` on a fresh connection and returns everything the server answered before closing. */
function sendRaw(port: number, frame: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(frame));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}
