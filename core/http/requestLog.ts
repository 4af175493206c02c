import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import type { RequestState } from './requestState.js';
import type { AppMiddleware } from './types.js';

/**
 * Writes one line when a request ends, with the request's own logger (`ctx.state.log`, tagged with the request id)
 * when the request made one (`RequestState`), else with the process logger and the request id. A routed request is logged by its route pattern (`/v2/Services/:serviceSid/Verifications/:sid`),
 * never by its path: paths can carry phone numbers (Twilio Verify fetches by number), Verification sids that
 * hold a number, and user ids, and a log line must not outlive an erasure with them. An unmatched path is
 * logged with every run of digits masked; query strings are never logged.
 */
export function requestLog({ logger }: { logger: Logger }): AppMiddleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const child = (ctx.state as RequestState).logIfMade;
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      // built field by field, not spread: this runs once per request
      const line: Record<string, unknown> = child ? {} : { reqId: ctx.state.requestId };
      line.method = ctx.method;
      if (typeof route === 'string') line.route = route;
      else line.path = maskedPath(ctx.path);
      line.status = ctx.status;
      line.ms = ms;
      (child ?? logger).info(line, 'request');
    }
  };
}

/** At most 200 characters, digits masked: enough to see what was asked for, nothing that names anyone. */
export function maskedPath(path: string): string {
  return path.slice(0, 200).replace(/\d+/g, (digits) => (digits.length > 2 ? '#'.repeat(digits.length) : digits));
}
