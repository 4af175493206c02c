import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { appRouters } from '../../core/http/app.js';
import { openApiPath } from '../../core/http/openapi/openApiDocument.js';
import { OpenApiResponses } from '../support/openApiResponses.js';
import { startOtpServer, type TestServer } from '../support/otpServer.js';

describe('OpenAPI 3.1 (GET /openapi.json, GET /docs)', function () {
  this.timeout(60_000);
  let t: TestServer;
  let document: any;

  before(async () => {
    // every route mounted: the dev outbox and metrics on the API listener are on
    t = await startOtpServer({ overlay: { metrics: { enabled: true, onApiListener: true } } });
    const response = await fetch(`${t.url}/openapi.json`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    document = await response.json();
  });
  after(() => t.close());

  it("describes every route the router serves, by the router's own list", () => {
    const routers = appRouters(t.server.container.cradle);
    const served: string[] = [];
    for (const router of routers) {
      for (const layer of router.stack) {
        for (const method of layer.methods) if (method !== 'HEAD') served.push(`${method} ${String(layer.path)}`);
      }
    }
    expect(served.length).to.be.greaterThan(40);
    const missing = served.filter((route) => {
      const [method, path] = route.split(' ') as [string, string];
      const operation = document.paths[openApiPath(path)]?.[method.toLowerCase()];
      return !operation?.summary || !operation.responses;
    });
    expect(missing, 'routes without a description: add a describeRoute() beside each (docs/contributing.md)').to.deep.equal([]);
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.length).to.equal(served.length);
    for (const family of ['/cis/', '/oidc/', '/passwordless/', '/oauth/', '/api/v2/', '/v2/Services', '/admin/v1/', '/dev/', '/docs']) {
      expect(
        documented.some((route) => route.includes(family)),
        family,
      ).to.equal(true);
    }
  });

  it('is valid OpenAPI 3.1 by a maintained validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('names the security of each protected route and an error shape per API family', () => {
    expect(Object.keys(document.components.securitySchemes)).to.include.members([
      'clientToken',
      'userToken',
      'clientSecretBasic',
      'twilioBasic',
    ]);
    const send = document.paths['/cis/v1/auth/otp/send'].post;
    expect(send.security).to.deep.equal([{ clientToken: ['app'] }]);
    expect(send.requestBody.content['application/json'].schema.required).to.include.members(['channel', 'identifier_type', 'identifier']);
    expect(send.responses['401'].content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/MosaicError' });
    expect(document.paths['/dev/sms-outbox'].get.responses['400'].content['application/json'].schema).to.deep.equal({
      $ref: '#/components/schemas/OAuthError',
    });
    expect(document.paths['/v2/Services'].post.responses['400'].content['application/json'].schema).to.deep.equal({
      $ref: '#/components/schemas/TwilioError',
    });
    expect(document.paths['/v2/Services'].post.security).to.deep.equal([{ twilioBasic: ['management'] }]);
    expect(document.paths['/v2/Services'].post.requestBody.content['application/x-www-form-urlencoded'].schema.required).to.deep.equal([
      'FriendlyName',
    ]);
    expect(document.paths['/api/v2/connections/{id}'].patch.responses['400'].content['application/json'].schema).to.deep.equal({
      $ref: '#/components/schemas/Auth0ManagementError',
    });
    expect(document.paths['/oidc/token'].post.responses['400'].content['application/json'].schema).to.deep.equal({
      $ref: '#/components/schemas/OAuthError',
    });
    expect(document.paths['/oidc/token'].post.security).to.deep.equal([{ clientSecretBasic: [] }, {}]);
    expect(document.paths['/cis/v1/verification/otp/sms/send'].post.security).to.deep.equal([{ userToken: [] }]);
    expect(document.paths['/admin/v1/audit/events'].get.parameters.map((p: { name: string }) => p.name)).to.include.members([
      'types',
      'cursor',
      'limit',
    ]);
    expect(document.servers).to.deep.equal([{ url: t.url }]);
  });

  it('validates every query parameter it describes with the schema it describes it with: a bad value of each is a 400 naming it', async () => {
    const admin = `Bearer ${await t.clientToken('acme-admin')}`;
    const twilioBasic = `Basic ${Buffer.from('acme-admin:acme-admin-secret').toString('base64')}`;
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const parameters = (operation.parameters ?? []).filter((p: { in: string }) => p.in === 'query') as QueryParameter[];
        const schemes = (operation.security ?? []).flatMap((requirement: object) => Object.keys(requirement));
        const authorization = schemes.includes('twilioBasic') ? twilioBasic : schemes.length > 0 ? admin : undefined;
        if (parameters.length > 0 && !operation.responses['400']) wrong.push(`${method.toUpperCase()} ${path}: its 400 is not described`);
        for (const parameter of parameters) {
          const others = parameters.filter((other) => other.required && other !== parameter);
          for (const bad of badValues(parameter.schema)) {
            const query = new URLSearchParams(others.map((other): [string, string] => [other.name, String(other.schema.enum?.[0] ?? 'x')]));
            for (const value of bad) query.append(parameter.name, value);
            const label = `${method.toUpperCase()} ${path}?${query}`;
            const response = await fetch(`${t.url}${path}?${query}`, {
              method: method.toUpperCase(),
              headers: authorization ? { authorization } : {},
            });
            const body = await response.text();
            checked.push(label);
            if (response.status !== 400 || !body.includes(parameter.name)) wrong.push(`${label}: ${response.status} ${body.slice(0, 200)}`);
          }
        }
      }
    }
    expect(wrong).to.deep.equal([]);
    // the stats days, users paging, audit filters, state, Auth0's connections paging and user blocks, Verify's paging,
    // the redirect link and the dev outbox
    expect(new Set(checked.map((label) => label.split('?')[0])).size).to.be.at.least(10);
    expect(checked.length).to.be.greaterThan(50);
  });

  it('serves a page rendering it, with the assets from otpledger itself', async () => {
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.headers.get('content-security-policy')).to.contain("script-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url!);
    expect(sources).to.include.members(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/initializer.js']);
    for (const source of sources) {
      const asset = await fetch(`${t.url}${source}`);
      expect(asset.status, source).to.equal(200);
      expect((await asset.arrayBuffer()).byteLength, source).to.be.greaterThan(50);
    }
    const initializer = await (await fetch(`${t.url}/docs/initializer.js`)).text();
    expect(initializer).to.contain('"url":"/openapi.json"');
    expect((await fetch(`${t.url}/docs/package.json`)).status).to.equal(404);
    expect((await fetch(`${t.url}/docs/..%2Fpackage.json`)).status).to.equal(404);
  });

  it('checks responses: a body breaking its schema, an undescribed status or media type is reported', async () => {
    const responses = await OpenApiResponses.of(t.url);
    expect(responses.problem('GET', '/healthz', 200, 'application/json', { status: 'ok' })).to.equal(undefined);
    expect(responses.problem('GET', '/healthz', 200, 'application/json', { status: 42 })).to.match(/breaks the document's schema/);
    expect(responses.problem('GET', '/healthz', 418, 'application/json', { status: 'ok' })).to.match(/status 418 is not described/);
    expect(responses.problem('GET', '/healthz', 200, 'text/plain', 'ok')).to.match(/media type text\/plain is not described/);
    expect(
      responses.problem('POST', '/cis/v1/auth/otp/send', 401, 'application/json', { error: 'invalid_token', error_description: 'x' }),
    ).to.match(/breaks/);
    expect(responses.problem('POST', '/cis/v1/auth/otp/send', 401, 'application/json', { message: 'x', error_code: 401 })).to.equal(
      undefined,
    );
    expect(responses.problem('GET', '/no/such/route', 404, 'application/json', { error: 'not_found', error_description: 'x' })).to.equal(
      undefined,
    );
    expect(responses.problem('GET', '/no/such/route', 200, 'application/json', {})).to.match(/no operation get/);
  });
});

interface QueryParameter {
  name: string;
  required?: boolean;
  schema: {
    type?: string;
    enum?: unknown[];
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    anyOf?: unknown[];
  };
}

/** Values a parameter's schema refuses (each a list: a repeated key is one of them), read from the schema itself. */
function badValues(schema: QueryParameter['schema']): string[][] {
  if (schema.type === 'array') return [];
  const bad: string[][] = [['x', 'y']]; // given twice
  if (schema.type === 'integer') {
    bad.push(['x'], ['1.5'], ['0x10'], ['1e999']);
    if (schema.maximum !== undefined) bad.push([String(schema.maximum + 1)]);
    if (schema.minimum !== undefined) bad.push([String(schema.minimum - 1)]);
  }
  if (schema.type === 'boolean') bad.push(['maybe']);
  if (schema.enum) bad.push(['nope']);
  if (schema.minLength) bad.push(['']);
  if (schema.maxLength !== undefined) bad.push(['x'.repeat(schema.maxLength + 1)]);
  if (schema.pattern || schema.anyOf) bad.push(['not-a-time!']);
  return bad;
}
