import { Router } from '@koa/router';
import { recordAuditQuery } from '../../../audit/auditLog.js';
import type { Cradle } from '../../../cradle.js';
import { parsePointInTime, stateAt } from '../../../timeTravel/stateAt.js';
import { parseStateQuery, stateQuerySchema } from '../../../timeTravel/stateQuery.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { adminRoute, auditorOrManagement, result } from './adminDescriptions.js';

/**
 * Time travel: `GET /admin/v1/state?at=<ISO time | position>&kind=<user|provider|policy|lockouts|protection>&id=...`
 * answers what a user, the tenant's provider, an application's policy, a phone's lockouts or the tenant's SMS
 * protection policy looked like
 * then, by folding their streams up to that point. Recorded as an audit query.
 */
export function adminStateRoutes(cradle: Cradle): Router<AppState> {
  const { tokens, eventStore, secrets, clock } = cradle;
  const router = new Router<AppState>();

  describeRoute(
    router,
    'GET /admin/v1/state',
    adminRoute({
      summary: "Time travel: what a user, the provider, a policy, a phone's lockouts or SMS protection looked like at a moment",
      security: auditorOrManagement,
      description: 'Folds the streams up to that point. Recorded as an audit query.',
      request: { query: stateQuerySchema },
      responses: { 200: { description: 'the state then (null when it did not exist yet)', body: result({}) } },
      errors: { 400: 'kind, id or at is missing or malformed' },
    }),
  );
  router.get('/admin/v1/state', requireClient(tokens, ['auditor', 'management']), async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    const { at, kind, id } = parseStateQuery(ctx.query);
    const point = parsePointInTime(at ?? clock.now().toISOString());
    await recordAuditQuery(
      eventStore,
      clock,
      tenantId,
      clientId,
      'state',
      { kind, at: at ?? null, ...(kind !== 'lockouts' && { id }) },
      eventMetadata(ctx, tenantId, clientId),
    );
    // a lockouts id that is no phone number is the domain's InvalidPhoneNumberError: 400 by the shared mapping
    ctx.body = {
      result: await stateAt(
        { eventStore, hmacKey: secrets.hmacKey, protectionDefaults: cradle.smsProtectionPolicies.defaults },
        tenantId,
        kind,
        id ?? tenantId,
        point,
      ),
    };
  });

  return router;
}
