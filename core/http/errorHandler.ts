import { rendererFor, type ErrorRenderer, type PublicError } from './errorRenderers.js';
import { notFound } from './httpError.js';
import { toHttpError } from './toHttpError.js';
import type { AppMiddleware } from './types.js';

/** Headers that survive an error: everything else a route set before failing is dropped. */
const keptHeaders = new Set(['x-request-id', 'connection']);

/**
 * The outermost error boundary (inside request id and request log): every failure, and any request no
 * route answered, becomes a JSON error in the shape the path's renderer chooses. 5xx detail never reaches
 * the client; it is logged with the request id instead.
 */
export function errorHandler(renderers: readonly ErrorRenderer[]): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw notFound(`no route for ${ctx.method} ${ctx.path}`);
    } catch (thrown) {
      const renderer = rendererFor(ctx.path, renderers);
      const error = renderer.translate?.(thrown) ?? toHttpError(thrown);
      // an exposed 5xx (a failed SMS delivery) was chosen and logged with its detail where it happened;
      // the request line records its status, so only unexpected failures are logged here
      if (error.status >= 500 && !error.expose) ctx.state.log.error({ err: error.cause ?? error }, 'request failed');
      if (ctx.headerSent) return;
      const shown: PublicError = error.expose
        ? { status: error.status, code: error.code, description: error.description }
        : { status: error.status, code: error.status === 500 ? 'server_error' : error.code, description: 'internal error' };
      for (const name of ctx.res.getHeaderNames()) if (!keptHeaders.has(name)) ctx.res.removeHeader(name);
      ctx.set({ ...error.headers, 'Cache-Control': 'no-store' });
      ctx.status = error.status;
      ctx.body = renderer.render(shown);
    }
  };
}
