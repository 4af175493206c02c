import { Router } from '@koa/router';
import { recordAuditQuery } from '../../../audit/auditLog.js';
import type { Cradle } from '../../../cradle.js';
import { parsePointInTime, stateAt, stateKinds, type StateKind } from '../../../timeTravel/stateAt.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { badRequest } from '../../httpError.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { adminRoute, auditorOrManagement, result } from './adminDescriptions.js';

/** The query as the route reads it. */
const stateQuery = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: stateKinds },
    id: { type: 'string', description: 'the user id, client id or phone number; not needed for provider and protection' },
    at: { type: 'string', description: 'an ISO 8601 time or a global position; now when left out' },
  },
} as const;

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
      request: { query: stateQuery },
      responses: { 200: { description: 'the state then (null when it did not exist yet)', body: result({}) } },
      errors: { 400: 'kind, id or at is missing or malformed' },
    }),
  );
  router.get('/admin/v1/state', requireClient(tokens, ['auditor', 'management']), async (ctx) => {
    const { tenantId, clientId } = ctx.state.auth;
    const { at, kind, id } = ctx.query;
    if (typeof kind !== 'string' || !(stateKinds as readonly string[]).includes(kind))
      throw badRequest(`kind must be one of ${stateKinds.join(', ')}`);
    if (typeof id !== 'string' && kind !== 'provider' && kind !== 'protection') throw badRequest('id is required');
    let point;
    try {
      point = parsePointInTime(typeof at === 'string' ? at : clock.now().toISOString());
    } catch (error) {
      throw badRequest((error as Error).message);
    }
    await recordAuditQuery(
      eventStore,
      clock,
      tenantId,
      clientId,
      'state',
      { kind, at: at ?? null, ...(kind !== 'lockouts' && { id }) },
      eventMetadata(ctx, tenantId, clientId),
    );
    try {
      ctx.body = {
        result: await stateAt(
          { eventStore, hmacKey: secrets.hmacKey, protectionDefaults: cradle.smsProtectionPolicies.defaults },
          tenantId,
          kind as StateKind,
          typeof id === 'string' ? id : tenantId,
          point,
        ),
      };
    } catch (error) {
      if (error instanceof TypeError || (error as Error).name === 'InvalidPhoneNumberError') throw badRequest((error as Error).message);
      throw error;
    }
  });

  return router;
}
