import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { parsePhoneNumber } from '../../users/phoneNumber.js';
import { badRequest } from '../httpError.js';
import type { AppState } from '../types.js';

/**
 * `GET /dev/sms-outbox?phone_number=<E.164>`: what the development sender "sent" to that number,
 * newest first. Mounted only when `dev.outbox` is true (the server warns loudly at start).
 */
export function devOutboxRoutes({ config, devOutbox }: Pick<Cradle, 'config' | 'devOutbox'>): Router<AppState> {
  const router = new Router<AppState>();
  if (!config.dev.outbox) return router;
  router.get('/dev/sms-outbox', (ctx) => {
    const phone = ctx.query.phone_number;
    if (typeof phone !== 'string') throw badRequest('phone_number query parameter is required');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = devOutbox.messagesTo(parsePhoneNumber(phone).e164);
  });
  return router;
}
