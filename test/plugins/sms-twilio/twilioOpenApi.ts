import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import type { GatewayRequest } from '@otpledger/plugin-kit/testing';

/**
 * Checks requests a fake Twilio received against Twilio's own OpenAPI description of API v2010
 * (`twilio_api_v2010.json`, shipped in the npm package `@twilio-alpha/mcp`, from the twilio/twilio-oai
 * repository): the operation's method and path template, path parameter schemas, HTTP Basic auth, the
 * request content type, the body schema, its required and `x-twilio` conditional ("one of") parameters,
 * and that every parameter we send is one the spec knows.
 */

type Json = Record<string, any>;

const require = createRequire(import.meta.url);
const specPath = require.resolve('@twilio-alpha/mcp/twilio-oai/spec/json/twilio_api_v2010.json');
export const twilioApiV2010: Json = JSON.parse(readFileSync(specPath, 'utf8'));

// The spec uses OpenAPI keywords and a `phone-number` format ajv does not know. The format here admits what
// Twilio documents for To/From: E.164, a short code, an alphanumeric sender id, or a channel address.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormatsModule.default(ajv);
ajv.addFormat('phone-number', /^(\+[1-9]\d{1,14}|\d{3,8}|[A-Za-z0-9 ]{1,11}|[a-z]+:.+)$/);

export interface Operation {
  pathTemplate: string;
  method: string;
  spec: Json;
}

export function findOperation(operationId: string): Operation {
  for (const [pathTemplate, item] of Object.entries(twilioApiV2010.paths as Json)) {
    for (const [method, spec] of Object.entries(item as Json)) {
      if ((spec as Json)?.operationId === operationId) return { pathTemplate, method: method.toUpperCase(), spec };
    }
  }
  throw new Error(`operation ${operationId} is not in twilio_api_v2010`);
}

/** Asserts that `request` is a valid call of `operationId` authenticated as `accountSid:authToken`. */
export function expectConformingRequest(request: GatewayRequest, operationId: string, credentials: [string, string]): void {
  const operation = findOperation(operationId);
  expect(request.method, `${operationId} method`).to.equal(operation.method);

  const names: string[] = [];
  const pattern = operation.pathTemplate.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'));
  const match = new RegExp(`^${pattern.replaceAll('.', '\\.')}$`).exec(new URL(request.url, 'http://x').pathname);
  expect(match, `${request.url} matches ${operation.pathTemplate}`).to.not.equal(null);
  for (const parameter of (operation.spec.parameters ?? []) as Json[]) {
    if (parameter.in !== 'path') continue;
    const value = decodeURIComponent(match![names.indexOf(parameter.name) + 1]!);
    expectValid(parameter.schema, value, `path parameter ${parameter.name}`);
  }

  const security = Object.keys(twilioApiV2010.components.securitySchemes)[0]!;
  expect(twilioApiV2010.components.securitySchemes[security].scheme).to.equal('basic');
  expect(request.headers.authorization).to.equal(`Basic ${Buffer.from(credentials.join(':')).toString('base64')}`);

  const content = operation.spec.requestBody?.content as Json | undefined;
  if (!content) {
    expect(request.body, `${operationId} has no body`).to.equal('');
    return;
  }
  const [contentType, media] = Object.entries(content)[0]!;
  expect(request.headers['content-type']).to.contain(contentType);
  const params = Object.fromEntries(new URLSearchParams(request.body));
  const known = Object.keys(media.schema.properties);
  for (const name of Object.keys(params)) expect(known, `parameter ${name} is known to ${operationId}`).to.include(name);
  for (const name of media.schema.required ?? []) expect(params, `required parameter`).to.have.property(name);
  for (const group of (operation.spec['x-twilio']?.conditional ?? []) as string[][]) {
    const present = group.map((snake) => pascal(snake)).filter((name) => name in params);
    expect(present, `one of ${group.join(' | ')}`).to.not.be.empty;
    for (const name of group) expect(known, `conditional ${name} maps to a parameter`).to.include(pascal(name));
  }
  expectValid(media.schema, params, `${operationId} body`);
}

/** The example the spec gives for a response (e.g. `201`/`create`): the fake answers in Twilio's shape. */
export function responseExample(operationId: string, status: string, example: string): Json {
  return structuredClone(findOperation(operationId).spec.responses[status].content['application/json'].examples[example].value);
}

const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Validates against a schema of the spec; its `#/components/...` references resolve in the spec. */
function expectValid(schema: object, value: unknown, what: string): void {
  const validate = compiled.get(schema) ?? ajv.compile({ ...schema, components: twilioApiV2010.components });
  compiled.set(schema, validate);
  expect(validate(value), `${what}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
}

/** `messaging_service_sid` → `MessagingServiceSid`, the spec's two spellings of one parameter. */
function pascal(snake: string): string {
  return snake
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
