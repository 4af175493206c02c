import { STATUS_CODES } from 'node:http';
import { oauthRenderer, rendererFor, type ErrorRenderer } from '../errorRenderers.js';
import type { AppRouter } from '../types.js';
import { descriptionOf, type ResponseDescription, type RouteDescription, type Schema } from './routeDescription.js';
import { securitySchemes } from './securitySchemes.js';

export interface OpenApiOptions {
  title: string;
  version: string;
  /** The server's public URL (the issuer). */
  serverUrl: string;
  errorRenderers: readonly ErrorRenderer[];
}

export interface OpenApiResult {
  document: Record<string, unknown>;
  /** `METHOD /path` of every route the routers serve without a description (the router-walk test wants none). */
  undescribed: string[];
}

/** Tags in the order the page shows them, with what each family is. */
const tagDescriptions: Record<string, string> = {
  'Mosaic /cis': "Transmit Mosaic's `/cis` API: users, SMS OTP login (backend and redirect), phone verification, SMS providers.",
  'OpenID Connect': 'The OpenID Provider: discovery, JWKS, the token endpoint and its grants, userinfo, revocation, introspection.',
  Auth0: "Auth0's Authentication API (passwordless SMS, `/oauth/token`) and Management API (`/api/v2`: the sms connection, user blocks).",
  'Twilio Verify': "Twilio Verify v2 (`/v2`): Services, Verifications and VerificationCheck, in Twilio's form bodies and error codes.",
  Admin:
    'The admin and compliance API (`/admin/v1`): applications, audit log, time travel, read models, SMS protection, data-subject requests.',
  Operations: 'Health, readiness, metrics and this API description.',
  Development: 'Routes mounted only in development (`dev.outbox`).',
};

const bodyErrors: Record<number, string> = {
  400: 'the body is malformed or breaks the schema (the message names each problem)',
  413: 'the body exceeds `server.bodyLimitBytes`',
  415: 'the body is neither JSON nor a form, or not UTF-8',
};

/** `/admin/v1/users/:user_id` → `/admin/v1/users/{user_id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document of the routes `routers` serve, read from the routers' own layers: each layer's
 * description (`describeRoute`) gives its operation, with the request schemas the route validates with, its
 * responses, and each error status in the body shape of the path's API family. HEAD (added by the router for
 * every GET) is not listed.
 */
export function openApiDocument(routers: readonly AppRouter[], options: OpenApiOptions): OpenApiResult {
  const paths: Record<string, Record<string, unknown>> = {};
  const undescribed: string[] = [];
  const errorSchemas = new Map<string, object>();
  const usedTags = new Set<string>();

  for (const router of routers) {
    for (const layer of router.stack) {
      const path = String(layer.path);
      for (const method of layer.methods) {
        if (method === 'HEAD' && layer.methods.includes('GET')) continue;
        const description = descriptionOf(router, method, path);
        if (!description) {
          undescribed.push(`${method} ${path}`);
          continue;
        }
        usedTags.add(description.tag);
        const renderer = rendererFor(path, options.errorRenderers);
        const errorRef = errorSchemaRef(renderer, errorSchemas);
        (paths[openApiPath(path)] ??= {})[method.toLowerCase()] = operation(method, path, description, errorRef);
      }
    }
  }

  const document = {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      description:
        'Every route this server serves, generated from the JSON Schemas its routes validate with. Each API family answers errors in its own shape: see the error schemas under components.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.serverUrl }],
    tags: Object.entries(tagDescriptions)
      .filter(([name]) => usedTags.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: Object.fromEntries(errorSchemas),
      securitySchemes,
    },
  };
  return { document, undescribed };
}

function errorSchemaRef(renderer: ErrorRenderer, schemas: Map<string, object>): object {
  const { name, schema } = renderer.schema ?? oauthRenderer.schema!;
  schemas.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

function operation(method: string, path: string, route: RouteDescription, errorRef: object): Record<string, unknown> {
  const request = route.request ?? {};
  const hasBody = request.json !== undefined || request.form !== undefined;
  const errors = { ...(hasBody && bodyErrors), ...route.errors };
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) responses[status] = responseObject(response);
  for (const [status, meaning] of Object.entries(errors)) {
    responses[status] = {
      description: `${STATUS_CODES[Number(status)] ?? 'Error'}: ${meaning}`,
      content: { 'application/json': { schema: errorRef } },
    };
  }
  responses['5XX'] = {
    description: 'a server error (its detail is logged with the request id, never answered)',
    content: { 'application/json': { schema: errorRef } },
  };

  return {
    operationId: operationId(method, path),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description && { description: route.description }),
    ...(route.security && { security: route.security }),
    ...(parameters(path, request).length > 0 && { parameters: parameters(path, request) }),
    ...(hasBody && { requestBody: requestBody(request) }),
    responses,
  };
}

function parameters(path: string, request: NonNullable<RouteDescription['request']>): object[] {
  const inPath = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: request.params?.[name!] ?? { type: 'string' },
  }));
  const query = request.query as { properties?: Record<string, Schema>; required?: readonly string[] } | undefined;
  const inQuery = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query?.required?.includes(name) ?? false,
    schema,
  }));
  return [...inPath, ...inQuery];
}

function requestBody(request: NonNullable<RouteDescription['request']>): object {
  const content: Record<string, unknown> = {};
  if (request.json) content['application/json'] = { schema: request.json };
  if (request.form) content['application/x-www-form-urlencoded'] = { schema: request.form };
  return { required: !request.bodyOptional, content };
}

function responseObject(response: ResponseDescription): object {
  const content: Record<string, unknown> = {};
  if (response.body !== undefined) content[response.contentType ?? 'application/json'] = { schema: response.body };
  for (const [type, schema] of Object.entries(response.alternatives ?? {})) content[type] = { schema };
  return {
    description: response.description,
    ...(response.headers && { headers: response.headers }),
    ...(Object.keys(content).length > 0 && { content }),
  };
}

/** `POST /cis/v1/auth/otp/send` → `post_cis_v1_auth_otp_send`: unique per method and path. */
function operationId(method: string, path: string): string {
  return `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, '')}`;
}
