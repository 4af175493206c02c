import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { parsePhoneNumber } from '../../users/phoneNumber.js';
import { requireClient } from '../auth.js';
import { eventMetadata } from '../eventMetadata.js';
import { badRequest } from '../httpError.js';
import type { AppState } from '../types.js';

/**
 * Auth0's user blocks, for the passwordless `sms` connection, with a management token:
 * `GET /api/v2/user-blocks?identifier=<phone>` lists the IPs brute-force protection blocked for that user
 * (as keyed hashes: otpledger never stores addresses) and `DELETE` with the same query lifts them (204).
 */
export function auth0UserBlockRoutes({ tokens, userBlocks, otpService }: Pick<Cradle, 'tokens' | 'userBlocks' | 'otpService'>): Router<AppState> {
  const router = new Router<AppState>();
  const auth = requireClient(tokens, ['management']);
  const phoneOf = (identifier: unknown) => {
    if (typeof identifier !== 'string') throw badRequest('identifier (the phone number, E.164) is required');
    return parsePhoneNumber(identifier);
  };

  router.get('/api/v2/user-blocks', auth, async (ctx) => {
    const phone = phoneOf(ctx.query.identifier);
    const blocks = await userBlocks.list(ctx.state.auth.tenantId, otpService.phoneHash(phone));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { blocked_for: blocks.map((block) => ({ identifier: phone.e164, ip: `hash:${block.ipHash}`, connection: 'sms', until: block.until })) };
  });

  router.delete('/api/v2/user-blocks', auth, async (ctx) => {
    const phone = phoneOf(ctx.query.identifier);
    const { tenantId, clientId } = ctx.state.auth;
    await userBlocks.unblock(tenantId, otpService.phoneHash(phone), eventMetadata(ctx, tenantId, clientId));
    ctx.status = 204;
  });

  return router;
}
