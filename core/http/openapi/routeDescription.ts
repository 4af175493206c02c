import type { JSONSchema } from 'json-schema-to-ts';
import type { AppRouter } from '../types.js';

/** A JSON Schema as the routes compile it (`as const` objects): the OpenAPI document uses the very same value. */
export type Schema = JSONSchema;

/** One response: what it means and, unless it has no body (204, a redirect), its body's schema by media type. */
export interface ResponseDescription {
  description: string;
  /** `application/json` unless `contentType` says otherwise. */
  body?: Schema;
  contentType?: string;
  /** Further media types of the same response (an export streamed as NDJSON or CSV). */
  alternatives?: Record<string, Schema>;
  headers?: Record<string, { description: string; schema?: Schema }>;
}

/**
 * What the OpenAPI document says about one route, written beside the route in its module with the same schema
 * constants the route validates with (`request.json: sendSchema` where the handler calls `compileSchema(sendSchema)`).
 */
export interface RouteDescription {
  summary: string;
  description?: string;
  /** The API family (`Mosaic /cis`, `Auth0`, `OpenID Connect`, `Admin`, `Twilio Verify`, `Operations`, `Development`). */
  tag: string;
  /** OpenAPI security requirements: `[{ clientToken: ['management'] }]`, the array holding the client roles admitted. Omitted: none. */
  security?: Record<string, string[]>[];
  request?: {
    /** An `application/json` body. */
    json?: Schema;
    /** An `application/x-www-form-urlencoded` body (give `json` too where the route takes both). */
    form?: Schema;
    /** An object schema whose properties are the query parameters. */
    query?: Schema;
    /** The path parameters (`:id` in the route), each a string unless a schema says more. */
    params?: Record<string, Schema & object>;
    /** A body is optional (an empty POST is fine). */
    bodyOptional?: boolean;
  };
  /** The success responses by status. */
  responses: Record<number, ResponseDescription>;
  /**
   * Error statuses the route answers, each in its API family's error shape (`errorRenderers.ts`), with what it means
   * here. 400, 413 and 415 are added for a route with a body, 5XX for every route.
   */
  errors?: Record<number, string>;
}

/** `METHOD /path` as the route module registers it: `POST /cis/v1/auth/otp/send`, `GET /admin/v1/users/:user_id`. */
export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

const described = new WeakMap<AppRouter, Map<string, RouteDescription>>();

/**
 * Describes a route of `router` for the OpenAPI document (`GET /openapi.json`). Call it beside the
 * `router.<method>()` that registers the route; a route the router serves without a description fails the
 * router-walk test (`test/http/openApi.test.ts`).
 *
 * @example
 * describeRoute(router, 'POST /cis/v1/auth/otp/send', {
 *   summary: 'Send a login code by SMS', tag: MOSAIC, security: [{ clientToken: ['app'] }],
 *   request: { json: sendSchema },
 *   responses: { 200: { description: 'sent (or not: an unknown identifier answers alike)', body: messageBody } },
 *   errors: { 401: 'no valid client token', 429: 'too many codes for this phone' },
 * });
 * router.post('/cis/v1/auth/otp/send', clientAuth, async (ctx) => { ... });
 */
export function describeRoute(router: AppRouter, keys: RouteKey | RouteKey[], description: RouteDescription): void {
  let routes = described.get(router);
  if (!routes) described.set(router, (routes = new Map()));
  for (const key of Array.isArray(keys) ? keys : [keys]) routes.set(key, description);
}

/** The description of `METHOD path` on `router`, if it has one. */
export function descriptionOf(router: AppRouter, method: string, path: string): RouteDescription | undefined {
  return described.get(router)?.get(`${method} ${path}`);
}
