import { Router } from '@koa/router';
import type { FromSchema } from 'json-schema-to-ts';
import type { Cradle } from '../../../cradle.js';
import { activeLockouts } from '../../../../projections/lockouts.js';
import { otpStats } from '../../../../projections/otpStats.js';
import { getUser, listUsersPage } from '../../../../projections/users.js';
import type { User } from '../../../users/userDecider.js';
import { requireClient } from '../../auth.js';
import { compileQuerySchema } from '../../../validation/compileQuerySchema.js';
import { notFound } from '../../httpError.js';
import { userBody } from '../mosaic/users.js';
import { describeRoute } from '../../openapi/routeDescription.js';
import type { AppState } from '../../types.js';
import { adminRoute, adminUserSchema, auditorOrManagement, erasedUserSchema, management, page, result } from './adminDescriptions.js';

// the format checks the calendar (no 2024-02-30), the pattern the plain YYYY-MM-DD form
const day = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', errorMessage: 'must be a day, YYYY-MM-DD' } as const;
const statsQuery = { type: 'object', properties: { from: day, to: day } } as const;
const usersQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100, errorMessage: 'must be a whole number from 1 to 500' },
    after: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'the next_cursor of the page before',
      errorMessage: 'must be one non-empty value',
    },
  },
} as const;
const parseStatsQuery = compileQuerySchema<FromSchema<typeof statsQuery>>(statsQuery);
const parseUsersQuery = compileQuerySchema<FromSchema<typeof usersQuery> & { limit: number }>(usersQuery);
const statsRow = {
  type: 'object',
  required: [
    'tenantId',
    'clientId',
    'provider',
    'countryCode',
    'day',
    'issued',
    'verified',
    'failed',
    'lockouts',
    'smsSent',
    'smsFailed',
    'refused',
    'conversionRate',
  ],
} as const;

const adminUserBody = (user: User) => ({ ...userBody(user), apps: user.apps });

/** What is left of an erased user: the pseudonymous id, when, and the applications it used. */
const erasedUserBody = (user: User) => ({ user_id: user.userId, erased: true, erased_at: user.erasedAt, apps: user.apps });

/**
 * Queries served by the projections (read models; they trail the event log by a moment):
 * `GET /admin/v1/stats/otp?from=YYYY-MM-DD&to=YYYY-MM-DD` — OTP activity per application, provider,
 * country calling code and day, with the conversion rate; `GET /admin/v1/lockouts` — lockouts in force.
 * For the tenant of a management or auditor token.
 * `GET /admin/v1/users?limit=&after=<user_id>` and `GET /admin/v1/users/<user_id>` — profiles, verified
 * phone and applications, for management tokens only (profiles are personal data, not audit data). The
 * read model keeps them sealed: they are opened here, and an erased user answers without any.
 */
export function adminReadModelRoutes({
  tokens,
  readModels,
  clock,
  personalData,
}: Pick<Cradle, 'tokens' | 'readModels' | 'clock' | 'personalData'>): Router<AppState> {
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['auditor', 'management']);

  describeRoute(
    router,
    'GET /admin/v1/stats/otp',
    adminRoute({
      summary: 'OTP activity per application, provider, country calling code and day, with the conversion rate',
      security: auditorOrManagement,
      request: { query: statsQuery },
      responses: {
        200: { description: 'the rows (the read model trails the log by a moment)', body: result({ type: 'array', items: statsRow }) },
      },
      errors: { 400: 'from or to is not a day' },
    }),
  );
  router.get('/admin/v1/stats/otp', auth, (ctx) => {
    const { from, to } = parseStatsQuery(ctx.query);
    ctx.body = { result: otpStats(readModels.db, ctx.state.auth.tenantId, from, to) };
  });

  describeRoute(
    router,
    'GET /admin/v1/lockouts',
    adminRoute({
      summary: 'The lockouts in force (phones as keyed hashes)',
      security: auditorOrManagement,
      responses: { 200: { description: 'the lockouts', body: result({ type: 'array', items: { type: 'object' } }) } },
    }),
  );
  router.get('/admin/v1/lockouts', auth, (ctx) => {
    // phone hashes, not numbers: the audit API finds a number's events by hashing it
    ctx.body = { result: activeLockouts(readModels.db, ctx.state.auth.tenantId, clock.now()) };
  });

  const manage = requireClient(tokens, ['management']);

  describeRoute(
    router,
    'GET /admin/v1/users',
    adminRoute({
      summary: "The tenant's users, paged by user id",
      security: management,
      request: { query: usersQuery },
      responses: { 200: { description: 'a page (an erased user is left out)', body: page(adminUserSchema, { type: ['string', 'null'] }) } },
      errors: { 400: 'limit or after is malformed' },
    }),
  );
  router.get('/admin/v1/users', manage, async (ctx) => {
    const { limit, after } = parseUsersQuery(ctx.query);
    const users = await personalData.openData(listUsersPage(readModels.db, ctx.state.auth.tenantId, after ?? '', limit));
    ctx.body = { result: users.map(adminUserBody), next_cursor: users.length === limit ? users[users.length - 1]!.userId : null };
  });

  describeRoute(
    router,
    'GET /admin/v1/users/:user_id',
    adminRoute({
      summary: 'A user: profile, verified phone, applications',
      security: management,
      responses: {
        200: { description: 'the user, or what is left of an erased one', body: result({ oneOf: [adminUserSchema, erasedUserSchema] }) },
      },
      errors: { 404: 'no such user' },
    }),
  );
  router.get('/admin/v1/users/:user_id', manage, async (ctx) => {
    const stored = getUser(readModels.db, ctx.state.auth.tenantId, ctx.params.user_id!);
    if (!stored) throw notFound('user not found');
    if (stored.erasedAt !== undefined) {
      ctx.body = { result: erasedUserBody(stored) };
      return;
    }
    const [user] = await personalData.openData([stored]);
    ctx.body = { result: adminUserBody(user!) };
  });

  return router;
}
