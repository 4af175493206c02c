import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { activeLockouts } from '../../../projections/lockouts.js';
import { otpStats } from '../../../projections/otpStats.js';
import { requireClient } from '../auth.js';
import { badRequest } from '../httpError.js';
import type { AppState } from '../types.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayParam(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DAY.test(value)) throw badRequest(`${name} must be a day, YYYY-MM-DD`);
  return value;
}

/**
 * Queries served by the projections (read models; they trail the event log by a moment):
 * `GET /admin/v1/stats/otp?from=YYYY-MM-DD&to=YYYY-MM-DD` — OTP activity per application, provider,
 * country calling code and day, with the conversion rate; `GET /admin/v1/lockouts` — lockouts in force.
 * For the tenant of a management or auditor token.
 */
export function adminReadModelRoutes({ tokens, readModels, clock }: Pick<Cradle, 'tokens' | 'readModels' | 'clock'>): Router<AppState> {
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['auditor', 'management']);

  router.get('/admin/v1/stats/otp', auth, (ctx) => {
    const from = dayParam(ctx.query.from, 'from');
    const to = dayParam(ctx.query.to, 'to');
    ctx.body = { result: otpStats(readModels.db, ctx.state.auth.tenantId, from, to) };
  });

  router.get('/admin/v1/lockouts', auth, (ctx) => {
    // phone hashes, not numbers: the audit API finds a number's events by hashing it
    ctx.body = { result: activeLockouts(readModels.db, ctx.state.auth.tenantId, clock.now()) };
  });

  return router;
}
