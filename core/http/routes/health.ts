import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { describeRoute } from '../openapi/routeDescription.js';
import type { AppState } from '../types.js';

const statusBody = (status: string) =>
  ({ type: 'object', required: ['status'], additionalProperties: false, properties: { status: { const: status } } }) as const;

/** How long `/readyz` waits for the event store before calling it unreachable. */
const pingTimeoutMs = 2000;

/**
 * `GET /healthz`: the process is up (liveness). `GET /readyz`: the event store answers (readiness),
 * 503 otherwise, so a load balancer stops sending traffic while the store is down.
 */
export function healthRoutes({ eventStore }: Pick<Cradle, 'eventStore'>): Router<AppState> {
  const router = new Router<AppState>();

  describeRoute(router, 'GET /healthz', {
    summary: 'Liveness: the process is up',
    tag: 'Operations',
    responses: { 200: { description: 'up', body: statusBody('ok') } },
  });
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  describeRoute(router, 'GET /readyz', {
    summary: 'Readiness: the event store answers',
    tag: 'Operations',
    responses: {
      200: { description: 'ready', body: statusBody('ok') },
      503: { description: 'the event store did not answer within 2 s', body: statusBody('unavailable') },
    },
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
