import type { Router } from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Cradle } from '../cradle.js';
import type { Logger } from '../logger.js';

/** What every request carries in `ctx.state`. */
export interface AppState {
  requestId: string;
  /** The request's logger: every line it writes carries the request id. */
  log: Logger;
  /** The caller's address, after `server.trustedProxies` (`clientAddress`). */
  clientIp: string;
}

export type AppContext = ParameterizedContext<AppState>;
export type AppMiddleware = Middleware<AppState>;
export type AppRouter = Router<AppState>;

/** A route module: takes what it needs from the container, returns its router. */
export type RouteFactory = (cradle: Cradle) => AppRouter;
