import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { requireClient } from '../auth.js';
import { eventMetadata } from '../eventMetadata.js';
import type { AppState } from '../types.js';

/**
 * `GET /admin/v1/sms-protection` (management or auditor token): the tenant's SMS protection policy in force,
 * every field shown; `PUT` (management token) replaces the whole policy, `{}` returning to the defaults
 * (a 400 names each bad field). See docs/sms-protection.md.
 */
export function adminSmsProtectionRoutes({ tokens, smsProtectionPolicies }: Pick<Cradle, 'tokens' | 'smsProtectionPolicies'>): Router<AppState> {
  const router = new Router<AppState>();

  router.get('/admin/v1/sms-protection', requireClient(tokens, ['management', 'auditor']), async (ctx) => {
    ctx.body = { result: await smsProtectionPolicies.policy(ctx.state.auth.tenantId) };
  });

  router.put('/admin/v1/sms-protection', requireClient(tokens, ['management']), async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    ctx.body = { result: await smsProtectionPolicies.configure(tenantId, ctx.request.body, eventMetadata(ctx, tenantId, clientId)) };
  });

  return router;
}
