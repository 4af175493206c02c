import { Router } from '@koa/router';
import type { Cradle } from '../../../cradle.js';
import { parseConnectionPatch } from '../../../auth0/connectionOptions.js';
import { connectionListQuerySchema, connectionPage, parseConnectionListQuery } from '../../../auth0/connectionPaging.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { HttpError } from '../../httpError.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { patchSchema } from '../../../auth0/connectionOptions.js';
import type { AppState } from '../../types.js';

const AUTH0 = 'Auth0';
const managementToken = [{ clientToken: ['management'] }];

const connectionSchema = {
  type: 'object',
  required: ['id', 'name', 'strategy'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    strategy: { type: 'string' },
    options: { type: 'object' },
    enabled_clients: { type: 'array', items: { type: 'string' } },
  },
} as const;
const partialConnection = { type: 'object' } as const;
const connectionErrors = { 401: 'no valid client access token', 403: "the token is not a management client's" };

const noSuchConnection = () => new HttpError(404, 'inexistent_connection', 'The connection does not exist');

/**
 * Auth0's Management API for the tenant's one passwordless `sms` connection, with a management token (seed
 * "Set Up Custom SMS Gateway for Passwordless Connections"): list (with Auth0's paging: `page`/`per_page`,
 * `include_totals`, checkpoint `from`/`take`, repeated `strategy`, `fields`), read, and `PATCH` its options. Errors in
 * Auth0's `{ statusCode, error, message, errorCode }` (see `errorRenderers`).
 */
export function auth0ConnectionRoutes({ tokens, smsConnections }: Pick<Cradle, 'tokens' | 'smsConnections'>): Router<AppState> {
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['management']);

  describeRoute(router, 'GET /api/v2/connections', {
    summary: "The tenant's connections (its one passwordless sms connection), with Auth0's paging",
    tag: AUTH0,
    security: managementToken,
    request: { query: connectionListQuerySchema },
    responses: {
      200: {
        description: 'a bare array, `{ connections, start, limit, total }` with include_totals, or `{ connections, next? }` with from/take',
        body: {
          oneOf: [
            { type: 'array', items: partialConnection },
            {
              type: 'object',
              required: ['connections', 'start', 'limit', 'total'],
              properties: { connections: { type: 'array', items: partialConnection } },
            },
            {
              type: 'object',
              required: ['connections'],
              properties: { connections: { type: 'array', items: partialConnection }, next: { type: 'string' } },
              not: { required: ['total'] },
            },
          ],
        },
      },
    },
    errors: { 400: 'invalid_query_string: "Query validation error: ..."', ...connectionErrors },
  });
  router.get('/api/v2/connections', auth, async (ctx) => {
    const query = parseConnectionListQuery(ctx.query);
    const connection = (await smsConnections.describe(ctx.state.auth.tenantId)) as Record<string, unknown> & { id: string };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = connectionPage([connection], query);
  });

  describeRoute(router, 'GET /api/v2/connections/:id', {
    summary: 'The sms connection',
    tag: AUTH0,
    security: managementToken,
    responses: { 200: { description: 'the connection', body: connectionSchema } },
    errors: { ...connectionErrors, 404: 'inexistent_connection' },
  });
  router.get('/api/v2/connections/:id', auth, async (ctx) => {
    const { tenantId } = ctx.state.auth;
    if (ctx.params.id !== smsConnections.id(tenantId)) throw noSuchConnection();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await smsConnections.describe(tenantId);
  });

  describeRoute(router, 'PATCH /api/v2/connections/:id', {
    summary: "Change the sms connection's options (provider, template, TOTP, brute-force protection, ...)",
    tag: AUTH0,
    security: managementToken,
    request: { json: patchSchema },
    responses: { 200: { description: 'the connection as changed', body: connectionSchema } },
    errors: { 400: 'invalid_body: "Payload validation error: ..."', ...connectionErrors, 404: 'inexistent_connection' },
  });
  router.patch('/api/v2/connections/:id', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    if (ctx.params.id !== smsConnections.id(tenantId)) throw noSuchConnection();
    const patch = parseConnectionPatch(ctx.request.body);
    await smsConnections.update(tenantId, patch, eventMetadata(ctx, tenantId, clientId));
    ctx.body = await smsConnections.describe(tenantId);
  });

  return router;
}
