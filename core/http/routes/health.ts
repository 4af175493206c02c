import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import type { AppState } from '../types.js';

/** How long `/readyz` waits for the event store before calling it unreachable. */
const pingTimeoutMs = 2000;

/**
 * `GET /healthz`: the process is up (liveness). `GET /readyz`: the event store answers (readiness),
 * 503 otherwise, so a load balancer stops sending traffic while the store is down.
 */
export function healthRoutes({ eventStore }: Pick<Cradle, 'eventStore'>): Router<AppState> {
  const router = new Router<AppState>();

  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await withTimeout(eventStore.ping(), pingTimeoutMs);
      ctx.body = { status: 'ok' };
    } catch (error) {
      ctx.state.log.warn({ err: error }, 'readiness check failed: event store unreachable');
      ctx.status = 503;
      ctx.body = { status: 'unavailable' };
    }
  });

  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
