import { Router } from '@koa/router';
import Koa from 'koa';
import type { Cradle } from '../cradle.js';
import { bodyParser } from './bodyParser.js';
import { clientAddress } from './clientAddress.js';
import { coalescedResponses } from './coalescedResponses.js';
import { isClientFault } from './clientFaults.js';
import { errorHandler } from './errorHandler.js';
import { errorRenderers as defaultErrorRenderers, type ErrorRenderer } from './errorRenderers.js';
import { HttpError } from './httpError.js';
import { useNullPrototypeQuery } from './nullPrototypeQuery.js';
import { requestId } from './requestId.js';
import { requestLog } from './requestLog.js';
import { useRequestState } from './requestState.js';
import { httpMetrics } from '../metrics/httpMetrics.js';
import { routes as defaultRoutes } from './routes/index.js';
import { apiDocsRoutes } from './routes/apiDocs.js';
import type { AppRouter, AppState, RouteFactory } from './types.js';

export interface AppOptions {
  routes?: readonly RouteFactory[];
  errorRenderers?: readonly ErrorRenderer[];
}

/**
 * The routers of the app, in mounting order: every route module's, then the API description's (which describes
 * them all, itself included). The router-walk test reads the same list.
 */
export function appRouters(cradle: Cradle, options: AppOptions = {}): AppRouter[] {
  const routers = (options.routes ?? defaultRoutes).map((factory) => factory(cradle));
  routers.push(apiDocsRoutes(cradle, () => routers, options.errorRenderers ?? defaultErrorRenderers));
  return routers;
}

/**
 * The Koa app: coalesced responses -> request id -> request log -> request metrics (when on) -> error handler ->
 * body parser -> routes.
 * The error handler sits inside the log so the logged status is the one the client got.
 */
export function createApp(cradle: Cradle, options: AppOptions = {}): Koa<AppState> {
  const { config, logger, metrics } = cradle;
  const app = new Koa<AppState>();
  useNullPrototypeQuery(app);
  useRequestState(app, logger);
  // Errors that escape the error handler: a client's broken or abandoned request (the socket or the parser
  // failed after the request began), logged at debug with its id; anything else is a bug in the first two
  // middlewares.
  app.on('error', (error: unknown, ctx?: { state?: Partial<AppState> }) => {
    const reqId = ctx?.state?.requestId;
    if (isClientFault(error)) logger.debug({ reqId, code: (error as { code?: unknown }).code }, 'request abandoned by the client');
    else logger.error({ reqId, err: error }, 'unhandled error outside the error handler');
  });

  const router = new Router<AppState>();
  for (const routes of appRouters(cradle, options)) router.use(routes.routes());

  app.use(coalescedResponses());
  app.use(requestId(cradle));
  app.use(requestLog(cradle));
  if (metrics) app.use(httpMetrics(metrics));
  app.use(errorHandler(options.errorRenderers ?? defaultErrorRenderers));
  app.use(clientAddress(config.server.trustedProxies));
  app.use(bodyParser({ limit: config.server.bodyLimitBytes }));
  app.use(router.routes());
  app.use(methodNotAllowedWithAllow);
  app.use(router.allowedMethods());
  return app;
}

/**
 * The router answers a known path asked with a method it does not serve (405, or 501 for a method no route
 * serves) and names the methods it does serve in `Allow`, as RFC 9110 §15.5.6 requires; this turns that answer
 * into the API family's error body, keeping `Allow`.
 */
const methodNotAllowedWithAllow: Koa.Middleware<AppState> = async (ctx, next) => {
  await next();
  if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) {
    const allow = ctx.response.get('Allow');
    throw new HttpError(405, 'method_not_allowed', 'method not allowed', { headers: allow ? { Allow: allow } : {} });
  }
};
