import { Router } from '@koa/router';
import { recordAuditQuery } from '../../../audit/auditLog.js';
import type { Cradle } from '../../../cradle.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { badRequest } from '../../httpError.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppContext, AppState } from '../../types.js';
import { adminRoute, auditRecordSchema, management } from './adminDescriptions.js';

const userIdParam_ = { user_id: { type: 'string', minLength: 1, maxLength: 200 } } as const;

const userIdParam = (ctx: AppContext): string => {
  const userId = ctx.params.user_id;
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 200)
    throw badRequest('user_id must be one non-empty value of at most 200 characters');
  return userId;
};

/**
 * Data-subject requests, for management clients of the user's tenant (see docs/erasure.md):
 * `GET /admin/v1/users/:user_id/export` — the access export `{ user, events }`, personal fields opened,
 * recorded as `AuditQueried` before it is answered; `DELETE /admin/v1/users/:user_id` — the erasure:
 * 200 `{ user_id, erased_at }`, the same again for a user already erased, 404 for one that never was.
 */
export function adminUserDataRoutes({
  tokens,
  dataSubjectRequests,
  eventStore,
  clock,
}: Pick<Cradle, 'tokens' | 'dataSubjectRequests' | 'eventStore' | 'clock'>): Router<AppState> {
  const router = new Router<AppState>();
  const manage = requireClient(tokens, ['management']);

  describeRoute(
    router,
    'GET /admin/v1/users/:user_id/export',
    adminRoute({
      summary: 'Data-subject access export: the profile and every event about the user, personal fields opened',
      security: management,
      request: { params: userIdParam_ },
      responses: {
        200: {
          description: 'the export (recorded as an audit query first)',
          body: {
            type: 'object',
            required: ['user', 'events'],
            properties: { user: { type: 'object' }, events: { type: 'array', items: auditRecordSchema } },
          },
        },
      },
      errors: { 400: 'user_id is malformed', 404: 'no such user' },
    }),
  );
  router.get('/admin/v1/users/:user_id/export', manage, async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    const userId = userIdParam(ctx);
    await recordAuditQuery(eventStore, clock, tenantId, clientId, 'export', { userId }, eventMetadata(ctx, tenantId, clientId));
    const result = await dataSubjectRequests.export(tenantId, userId);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });

  describeRoute(
    router,
    'DELETE /admin/v1/users/:user_id',
    adminRoute({
      summary: 'Erase a user: their keys are destroyed, their sealed data unreadable (`UserErased`)',
      security: management,
      request: { params: userIdParam_ },
      responses: {
        200: {
          description: 'erased (the same answer again for a user already erased)',
          body: {
            type: 'object',
            required: ['user_id', 'erased_at'],
            properties: { user_id: { type: 'string' }, erased_at: { type: 'string' } },
          },
        },
      },
      errors: { 400: 'user_id is malformed', 404: 'no such user' },
    }),
  );
  router.delete('/admin/v1/users/:user_id', manage, async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    const userId = userIdParam(ctx);
    ctx.body = await dataSubjectRequests.erase(tenantId, userId, clientId, eventMetadata(ctx, tenantId, clientId));
  });

  return router;
}
