import { performance } from 'node:perf_hooks';
import type { AppMiddleware } from '../http/types.js';
import type { ServerMetrics } from './serverMetrics.js';

/**
 * Times every request into `otpledger_http_request_duration_seconds`, labelled with the router's pattern
 * (`/admin/v1/applications/:client_id`), never the path itself: paths and queries can hold phone numbers and
 * ids, and one label value per path would be unbounded. A request no route matched is `unmatched`.
 * It sits outside the error handler, so the status is the one the client got.
 */
export function httpMetrics(metrics: ServerMetrics): AppMiddleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      metrics.httpRequestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, (performance.now() - started) / 1000);
    }
  };
}
