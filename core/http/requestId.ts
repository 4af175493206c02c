import type { Ids } from '../ids.js';
import type { AppMiddleware } from './types.js';

/** An incoming id is kept only if it is short and plain, so it is safe to log and echo. */
const acceptable = /^[\w.:-]{1,128}$/;

/** Gives every request an id (the caller's `X-Request-Id`, or a new UUID) and echoes it in the response. */
export function requestId({ ids }: { ids: Ids }): AppMiddleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const id = acceptable.test(incoming) ? incoming : ids.uuid();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
