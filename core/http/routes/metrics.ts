import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { describeRoute } from '../openapi/routeDescription.js';
import type { AppState } from '../types.js';

/**
 * `GET /metrics`: Prometheus text format, on the API's listener only when `metrics.onApiListener` says so; by
 * default they have a listener of their own on 127.0.0.1 (`core/metrics/metricsListener.ts`), since their counters
 * tell known from unknown identifiers to whoever can read them.
 */
export function metricsRoutes({ config, metrics }: Pick<Cradle, 'config' | 'metrics'>): Router<AppState> {
  const router = new Router<AppState>();
  if (!metrics || !config.metrics.onApiListener) return router;
  describeRoute(router, 'GET /metrics', {
    summary: 'Prometheus metrics',
    tag: 'Operations',
    responses: {
      200: {
        description: 'the Prometheus text format (docs/operations.md lists the families)',
        contentType: 'text/plain',
        body: { type: 'string' },
      },
    },
  });
  router.get('/metrics', async (ctx) => {
    const { contentType, body } = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
