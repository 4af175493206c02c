import { Router } from '@koa/router';
import { asFunction, asValue } from 'awilix';
import { expect } from 'chai';
import type { Cradle } from '../../core/cradle.js';
import { createApp } from '../../core/http/app.js';
import { routes } from '../../core/http/routes/index.js';
import type { AppState } from '../../core/http/types.js';
import { startServer, type RunningServer } from '../../core/server.js';
import { compileSchema } from '../../core/validation/compileSchema.js';
import { captureLogger, type LogLine } from '../support/captureLogger.js';
import { fakeEventStore } from '../support/fakeEventStore.js';
import { tempDir } from '../support/tempDir.js';
import { testConfig } from '../support/testConfig.js';

const bodyLimitBytes = 1024;

/** Routes that exist only in this test, to drive the plumbing from inside a handler. */
function testRoutes(): Router<AppState> {
  const parseGreeting = compileSchema<{ name: string }>({
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: { type: 'string' } },
  });
  return new Router<AppState>()
    .post('/test/echo', (ctx) => {
      ctx.body = { received: ctx.request.body ?? null };
    })
    .post('/test/greet', (ctx) => {
      ctx.body = { hello: parseGreeting(ctx.request.body).name };
    })
    .get('/test/boom', () => {
      throw new Error('database password is hunter2');
    })
    .get('/cis/test/boom', () => {
      throw new Error('also secret');
    })
    .get('/test/things/:phone', (ctx) => {
      ctx.body = { ok: true };
    });
}

describe('HTTP core', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let lines: LogLine[];

  before(async () => {
    temp = tempDir();
    const capture = captureLogger();
    lines = capture.lines;
    server = await startServer({
      config: testConfig(temp.dir, { server: { host: '127.0.0.1', port: 0, bodyLimitBytes } }),
      overrides: {
        logger: asValue(capture.logger),
        eventStore: asValue(fakeEventStore()),
        app: asFunction((cradle: Cradle) =>
          createApp(cradle, {
            routes: [...routes, testRoutes],
            errorRenderers: [{ pathPrefixes: ['/cis'], render: ({ code, description }) => ({ message: description, error_code: code }) }],
          }),
        ).singleton(),
      },
    });
  });
  after(async () => {
    await server.close();
    temp.remove();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    get(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('answers GET /healthz with 200 {status:"ok"}', async () => {
    const response = await get('/healthz');
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
  });

  it('answers GET /readyz with 200 when the store answers ping', async () => {
    const response = await get('/readyz');
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
  });

  it('answers unknown routes with a JSON 404, and a known path with the wrong method with 405', async () => {
    const missing = await get('/nowhere');
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.match(/^application\/json/);
    expect(await missing.json()).to.deep.equal({ error: 'not_found', error_description: 'no route for GET /nowhere' });

    const wrongMethod = await get('/healthz', { method: 'DELETE' });
    expect(wrongMethod.status).to.equal(405);
    expect(await wrongMethod.json()).to.include({ error: 'method_not_allowed' });
    // RFC 9110 §15.5.6: a 405 names the methods the resource serves
    expect(wrongMethod.headers.get('allow')).to.equal('HEAD, GET');
    const unserved = await get('/healthz', { method: 'PATCH' });
    expect([unserved.status, unserved.headers.get('allow')]).to.deep.equal([405, 'HEAD, GET']);
    const cisWrong = await postJson('/cis/test/boom', '{}');
    expect([cisWrong.status, cisWrong.headers.get('allow')]).to.deep.equal([405, 'HEAD, GET']);
    expect(await cisWrong.json()).to.include({ error_code: 'method_not_allowed' });
  });

  it('parses JSON and form bodies; a repeated form field becomes a list', async () => {
    const json = await postJson('/test/echo', '{"a":1,"b":[true]}');
    expect(await json.json()).to.deep.equal({ received: { a: 1, b: [true] } });

    const form = await get('/test/echo', {
      method: 'POST',
      body: 'grant_type=client_credentials&scope=a+b&scope=c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await form.json()).to.deep.equal({ received: { grant_type: 'client_credentials', scope: ['a b', 'c'] } });
  });

  it('answers malformed JSON with 400 invalid_request', async () => {
    const response = await postJson('/test/echo', '{"a":');
    expect(response.status).to.equal(400);
    expect(await response.json()).to.deep.equal({ error: 'invalid_request', error_description: 'request body is not valid JSON' });
  });

  it('answers a body that fails its schema with 400 listing the problems', async () => {
    const response = await postJson('/test/greet', '{"nom":"x"}');
    expect(response.status).to.equal(400);
    expect(await response.json()).to.deep.equal({
      error: 'invalid_request',
      error_description: '/name is required; /nom is not allowed (unknown key)',
    });
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const declared = await postJson('/test/echo', JSON.stringify({ pad: 'x'.repeat(bodyLimitBytes) }));
    expect(declared.status).to.equal(413);
    expect(await declared.json()).to.deep.equal({
      error: 'payload_too_large',
      error_description: `request body exceeds ${bodyLimitBytes} bytes`,
    });

    const chunk = new TextEncoder().encode('x'.repeat(600));
    const streamed = await get('/test/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).to.equal(413);

    const justUnder = await postJson('/test/echo', JSON.stringify({ pad: 'x'.repeat(bodyLimitBytes - 20) }));
    expect(justUnder.status).to.equal(200);
  });

  it('hides the detail of a 500 from the client and logs it with the request id', async () => {
    const response = await get('/test/boom');
    expect(response.status).to.equal(500);
    const text = await response.text();
    expect(JSON.parse(text)).to.deep.equal({ error: 'server_error', error_description: 'internal error' });
    expect(text).not.to.include('hunter2');
    const requestId = response.headers.get('x-request-id');
    const logged = lines.find((line) => line.level === 50 && line.reqId === requestId);
    expect(logged?.msg).to.equal('request failed');
    expect(logged?.err?.message).to.equal('database password is hunter2');
    expect(logged?.err?.stack).to.be.a('string');
  });

  it('renders errors in the shape registered for a path prefix', async () => {
    const failed = await get('/cis/test/boom');
    expect(failed.status).to.equal(500);
    expect(await failed.json()).to.deep.equal({ message: 'internal error', error_code: 'server_error' });
    const missing = await get('/cis/v1/nothing');
    expect(await missing.json()).to.deep.equal({ message: 'no route for GET /cis/v1/nothing', error_code: 'not_found' });
    const elsewhere = await get('/cisco');
    expect(await elsewhere.json()).to.have.property('error', 'not_found');
  });

  it('echoes a plain X-Request-Id, replaces an unsafe one, and logs one line per request with it', async () => {
    const echoed = await get('/healthz', { headers: { 'x-request-id': 'trace-42.a:b' } });
    expect(echoed.headers.get('x-request-id')).to.equal('trace-42.a:b');
    const replaced = await get('/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const generated = await get('/nowhere');
    const id = generated.headers.get('x-request-id');
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    const requestLines = lines.filter((line) => line.reqId === id && line.msg === 'request');
    expect(requestLines).to.have.length(1);
    expect(requestLines[0]).to.include({ method: 'GET', path: '/nowhere', status: 404 });
    expect(requestLines[0]?.ms).to.be.a('number');
  });

  it('logs a routed request by its route pattern, never a number in its path; an unmatched path has its digits masked', async () => {
    const routed = await get('/test/things/+15125550101?code=123456');
    const unmatched = await get('/v2/nothing/+15125550102/v1');
    const lineOf = (response: Response) =>
      lines.find((line) => line.reqId === response.headers.get('x-request-id') && line.msg === 'request');
    expect(lineOf(routed)).to.include({ method: 'GET', route: '/test/things/:phone', status: 200 }).and.not.have.property('path');
    expect(lineOf(unmatched)).to.include({ path: '/v2/nothing/+###########/v1', status: 404 });
    expect(JSON.stringify(lines)).not.to.match(/5125550101|5125550102|123456/);
  });
});

describe('GET /readyz', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('answers 503 when the event store does not answer ping', async () => {
    const server = await startServer({
      config: testConfig(temp.dir),
      overrides: { logger: asValue(captureLogger().logger), eventStore: asValue(fakeEventStore({ pingFails: true })) },
    });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).to.equal(503);
      expect(await response.json()).to.deep.equal({ status: 'unavailable' });
    } finally {
      await server.close();
    }
  });

  it('answers 200 with the real SQLite store in the data dir', async () => {
    const server = await startServer({ config: testConfig(temp.dir), overrides: { logger: asValue(captureLogger().logger) } });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
