import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import type { AppMiddleware } from './types.js';

/**
 * Gives the request its own logger (`ctx.state.log`, tagged with the request id) and writes one line
 * when it ends. Only the path is logged: query strings can carry phone numbers and codes.
 */
export function requestLog({ logger }: { logger: Logger }): AppMiddleware {
  return async (ctx, next) => {
    const started = performance.now();
    ctx.state.log = logger.child({ reqId: ctx.state.requestId });
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      ctx.state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, 'request');
    }
  };
}
