import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import { recordAuditQuery } from '../../../audit/auditLog.js';
import type { Cradle } from '../../../cradle.js';
import { parsePointInTime, stateAt, stateKinds } from '../../../timeTravel/stateAt.js';
import { requireClient } from '../../auth.js';
import { eventMetadata } from '../../eventMetadata.js';
import { compileQuerySchema } from '../../../validation/compileQuerySchema.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { adminRoute, auditorOrManagement, result } from './adminDescriptions.js';

/** The query: `id` names the user, application or phone, and the tenant's provider and protection need none. */
const stateQuery = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: stateKinds, errorMessage: `must be one of ${stateKinds.join(', ')}` },
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'the user id, client id or phone number; not needed for provider and protection',
    },
    at: {
      type: 'string',
      anyOf: [{ format: 'date-time' }, { format: 'date' }, { pattern: '^\\d{1,15}$' }],
      description: 'an ISO 8601 time or a global position; now when left out',
      errorMessage: 'must be an ISO 8601 time or a global position',
    },
  },
  allOf: [
    {
      if: { type: 'object', required: ['kind'], properties: { kind: { enum: ['user', 'policy', 'lockouts'] } } },
      then: { type: 'object', required: ['id'], properties: { id: true } },
    },
  ],
} as const;
const parseStateQuery = compileQuerySchema<FromSchema<typeof stateQuery>>(stateQuery);

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
