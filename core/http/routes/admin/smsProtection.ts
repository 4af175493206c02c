import { Router } from '@koa/router';
import type { Cradle } from '../../../cradle.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import { smsProtectionSchema } from '../../../protection/smsProtectionPolicy.js';
import type { AppState } from '../../types.js';
import { adminRoute, auditorOrManagement, management, result } from './adminDescriptions.js';

/**
 * `GET /admin/v1/sms-protection` (management or auditor token): the tenant's SMS protection policy in force,
 * every field shown; `PUT` (management token) replaces the whole policy, `{}` returning to the defaults
 * (a 400 names each bad field). See docs/sms-protection.md.
 */
export function adminSmsProtectionRoutes({
  tokens,
  smsProtectionPolicies,
}: Pick<Cradle, 'tokens' | 'smsProtectionPolicies'>): Router<AppState> {
  const router = new Router<AppState>();

  describeRoute(
    router,
    'GET /admin/v1/sms-protection',
    adminRoute({
      summary: "The tenant's SMS protection policy in force, every field shown",
      security: auditorOrManagement,
      responses: { 200: { description: 'the policy', body: result(smsProtectionSchema) } },
    }),
  );
  describeRoute(
    router,
    'PUT /admin/v1/sms-protection',
    adminRoute({
      summary: "Replace the tenant's SMS protection policy (`{}` returns to the defaults)",
      security: management,
      request: { json: smsProtectionSchema },
      responses: { 200: { description: 'the policy now in force', body: result(smsProtectionSchema) } },
    }),
  );
  router.get('/admin/v1/sms-protection', requireClient(tokens, ['management', 'auditor']), async (ctx) => {
    ctx.body = { result: await smsProtectionPolicies.policy(ctx.state.auth.tenantId) };
  });

  router.put('/admin/v1/sms-protection', requireClient(tokens, ['management']), async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    ctx.body = { result: await smsProtectionPolicies.configure(tenantId, ctx.request.body, eventMetadata(ctx, tenantId, clientId)) };
  });

  return router;
}
