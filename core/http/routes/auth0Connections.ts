import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { parseConnectionPatch } from '../../auth0/connectionOptions.js';
import { connectionPage, parseConnectionListQuery } from '../../auth0/connectionPaging.js';
import { SchemaValidationError } from '../../validation/schemaValidationError.js';
import { requireClient } from '../auth.js';
import { eventMetadata } from '../eventMetadata.js';
import { HttpError } from '../httpError.js';
import type { AppState } from '../types.js';

const noSuchConnection = () => new HttpError(404, 'inexistent_connection', 'The connection does not exist');

/** Auth0 words a query it refuses as "Query validation error: ...", code `invalid_query_string`. */
function asQueryErrors<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof SchemaValidationError) throw new HttpError(400, 'invalid_query_string', `Query validation error: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Auth0 words a body it refuses as "Payload validation error: ...", code `invalid_body`. */
async function asPayloadErrors<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof SchemaValidationError) throw new HttpError(400, 'invalid_body', `Payload validation error: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Auth0's Management API for the tenant's one passwordless `sms` connection, with a management token (seed
 * "Set Up Custom SMS Gateway for Passwordless Connections"): list (with Auth0's paging: `page`/`per_page`,
 * `include_totals`, checkpoint `from`/`take`, repeated `strategy`, `fields`), read, and `PATCH` its options. Errors in
 * Auth0's `{ statusCode, error, message, errorCode }` (see `errorRenderers`).
 */
export function auth0ConnectionRoutes({ tokens, smsConnections }: Pick<Cradle, 'tokens' | 'smsConnections'>): Router<AppState> {
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['management']);

  router.get('/api/v2/connections', auth, async (ctx) => {
    const query = asQueryErrors(() => parseConnectionListQuery(ctx.query));
    const connection = (await smsConnections.describe(ctx.state.auth.tenantId)) as Record<string, unknown> & { id: string };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = connectionPage([connection], query);
  });

  router.get('/api/v2/connections/:id', auth, async (ctx) => {
    const { tenantId } = ctx.state.auth;
    if (ctx.params.id !== smsConnections.id(tenantId)) throw noSuchConnection();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await smsConnections.describe(tenantId);
  });

  router.patch('/api/v2/connections/:id', auth, async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    if (ctx.params.id !== smsConnections.id(tenantId)) throw noSuchConnection();
    const patch = await asPayloadErrors(() => parseConnectionPatch(ctx.request.body));
    await asPayloadErrors(() => smsConnections.update(tenantId, patch, eventMetadata(ctx, tenantId, clientId)));
    ctx.body = await smsConnections.describe(tenantId);
  });

  return router;
}
