import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { startOtpServer, type TestServer } from '../../../support/otpServer.js';

/**
 * Our Verify routes against Twilio's own OpenAPI description (`twilio_verify_v2.json`, from the npm package
 * `@twilio-alpha/mcp`): each answer validates against the operation's response schema and status; and every
 * parameter the description defines for an operation is either applied or refused by name, never dropped.
 */
type Json = Record<string, any>;
const require = createRequire(import.meta.url);
const spec: Json = JSON.parse(readFileSync(require.resolve('@twilio-alpha/mcp/twilio-oai/spec/json/twilio_verify_v2.json'), 'utf8'));

/** OpenAPI 3.0's `nullable` as JSON Schema: `type: [t, 'null']`, or nothing where no type is given (anything goes). */
function jsonSchemaOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchemaOf);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Json;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, jsonSchemaOf(value)]));
  return nullable === true && typeof converted.type === 'string' ? { ...converted, type: [converted.type, 'null'] } : converted;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormatsModule.default(ajv);
ajv.addFormat('uri-map', true);
ajv.addSchema(jsonSchemaOf(spec) as Json, 'verify');

function operation(path: string, method: string): Json {
  const found = spec.paths[path]?.[method];
  if (!found) throw new Error(`${method} ${path} is not in twilio_verify_v2`);
  return found;
}

/** Asserts the answer is one the operation describes: its status, and its body against the status's schema. */
function expectConforming(path: string, method: string, status: number, body: unknown): void {
  const responses = operation(path, method).responses as Json;
  expect(Object.keys(responses), `${method} ${path} statuses`).to.include(String(status));
  const schema = responses[String(status)]?.content?.['application/json']?.schema as Json | undefined;
  if (!schema) return;
  const validate = ajv.compile(
    schema.$ref ? { $ref: `verify${schema.$ref}` } : JSON.parse(JSON.stringify(schema).replaceAll('"#/', '"verify#/')),
  );
  expect(validate(body), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
}

const formProperties = (path: string, method: string): Json =>
  operation(path, method).requestBody?.content?.['application/x-www-form-urlencoded']?.schema?.properties ?? {};

/** A value of the parameter's type that the description would accept. */
function sample(name: string, property: Json): string {
  const schema = property.$ref ? spec.components.schemas[String(property.$ref).split('/').pop()!] : property;
  if (schema.type === 'boolean') return 'true';
  if (schema.type === 'integer') return '5';
  if (schema.enum) return schema.enum.at(-1);
  if (schema.pattern) return `${String(schema.pattern).slice(1, 3)}${'a'.repeat(32)}`;
  return name === 'To' ? '+15125550109' : 'x';
}

describe('Twilio Verify dialect against twilio_verify_v2 (OpenAPI)', function () {
  this.timeout(30_000);
  let t: TestServer;
  const admin = `Basic ${Buffer.from('acme-admin:acme-admin-secret').toString('base64')}`;

  before(async () => {
    t = await startOtpServer();
  });
  after(() => t.close());

  const call = async (method: string, path: string, fields?: Record<string, string>) => {
    const response = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: admin, ...(fields && { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(fields && { body: new URLSearchParams(fields) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  it('answers every operation it serves in the shape and status the description gives', async () => {
    const created = await call('POST', '/v2/Services', { FriendlyName: 'Conformance', CodeLength: '6' });
    expectConforming('/v2/Services', 'post', created.status, created.body);
    const sid = created.body.sid as string;
    const listed = await call('GET', '/v2/Services?PageSize=1');
    expectConforming('/v2/Services', 'get', listed.status, listed.body);
    const fetched = await call('GET', `/v2/Services/${sid}`);
    expectConforming('/v2/Services/{Sid}', 'get', fetched.status, fetched.body);
    const updated = await call('POST', `/v2/Services/${sid}`, { DoNotShareWarningEnabled: 'true' });
    expectConforming('/v2/Services/{Sid}', 'post', updated.status, updated.body);

    const to = '+15125550108';
    const started = await call('POST', `/v2/Services/${sid}/Verifications`, { To: to, Channel: 'sms' });
    expectConforming('/v2/Services/{ServiceSid}/Verifications', 'post', started.status, started.body);
    const pending = await call('GET', `/v2/Services/${sid}/Verifications/${started.body.sid}`);
    expectConforming('/v2/Services/{ServiceSid}/Verifications/{Sid}', 'get', pending.status, pending.body);
    const checked = await call('POST', `/v2/Services/${sid}/VerificationCheck`, { To: to, Code: (await t.lastSms(to)).code });
    expectConforming('/v2/Services/{ServiceSid}/VerificationCheck', 'post', checked.status, checked.body);
    expect(checked.body.status).to.equal('approved');

    const again = await call('POST', `/v2/Services/${sid}/Verifications`, { To: to, Channel: 'sms' });
    const canceled = await call('POST', `/v2/Services/${sid}/Verifications/${again.body.sid}`, { Status: 'canceled' });
    expectConforming('/v2/Services/{ServiceSid}/Verifications/{Sid}', 'post', canceled.status, canceled.body);
    const deleted = await call('DELETE', `/v2/Services/${sid}`);
    expectConforming('/v2/Services/{Sid}', 'delete', deleted.status, deleted.body);
  });

  const applied: Record<string, string[]> = {
    'POST /v2/Services': ['FriendlyName', 'CodeLength', 'DoNotShareWarningEnabled'],
    'POST /v2/Services/{ServiceSid}/Verifications': ['To', 'Channel', 'Locale', 'AppHash', 'RiskCheck'],
    'POST /v2/Services/{ServiceSid}/VerificationCheck': ['Code', 'To', 'VerificationSid'],
  };

  for (const [route, supported] of Object.entries(applied)) {
    it(`${route}: every other parameter the description defines is refused by name`, async () => {
      const { sid } = (await call('POST', '/v2/Services', { FriendlyName: 'Params' })).body;
      const [method, path] = route.split(' ') as [string, string];
      const base: Record<string, string> = path.endsWith('/Services')
        ? { FriendlyName: 'Params' }
        : path.endsWith('/Verifications')
          ? { To: '+15125550107', Channel: 'sms' }
          : { To: '+15125550107', Code: '123456' };
      const others = Object.entries(formProperties(path, method.toLowerCase())).filter(([name]) => !supported.includes(name));
      expect(others.length, 'parameters to refuse').to.be.greaterThan(2);
      for (const [name, property] of others) {
        const answer = await call(method, path.replace('{ServiceSid}', sid), { ...base, [name]: sample(name, property) });
        expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).to.be.oneOf([400, 403]);
        expect(answer.body.message, name).to.include(name);
      }
      expect((await t.lastSms('+15125550107')).count, 'nothing was sent').to.equal(0);
    });
  }
});
