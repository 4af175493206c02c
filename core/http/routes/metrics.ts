import { Router } from '@koa/router';
import type { Cradle } from '../../cradle.js';
import { describeRoute } from '../openapi/routeDescription.js';
import type { AppState } from '../types.js';

/**
 * `GET /metrics`: Prometheus text format. On the API's listener only when metrics are on and no
 * `metrics.port` moves them to a listener of their own (`core/metrics/metricsListener.ts`).
 */
export function metricsRoutes({ config, metrics }: Pick<Cradle, 'config' | 'metrics'>): Router<AppState> {
  const router = new Router<AppState>();
  if (!metrics || config.metrics.port !== undefined) return router;
  describeRoute(router, 'GET /metrics', {
    summary: 'Prometheus metrics', tag: 'Operations',
    responses: { 200: { description: 'the Prometheus text format (docs/operations.md lists the families)', contentType: 'text/plain', body: { type: 'string' } } },
  });
  router.get('/metrics', async (ctx) => {
    const { contentType, body } = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
