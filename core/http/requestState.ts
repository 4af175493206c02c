import type Koa from 'koa';
import type { Logger } from '../logger.js';
import type { AppState } from './types.js';

/**
 * Every request's `ctx.state`: an instance of one class, not Koa's `{}` with fields added as middlewares run.
 * The request logger is made on first use (most requests log nothing but their last line, which carries the request
 * id itself), and a getter defined per request on a plain object (`Object.defineProperty`, as before) gave each
 * request's state a map of its own in V8, so every read of `ctx.state` in the app missed its inline cache.
 */
export class RequestState implements AppState {
  requestId = '';
  clientIp = '';
  #logger: Logger;
  #log: Logger | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The request's logger: every line it writes carries the request id. */
  get log(): Logger {
    return (this.#log ??= this.#logger.child({ reqId: this.requestId }));
  }

  set log(value: Logger) {
    this.#log = value;
  }

  /** The request's logger if one was made, else undefined (the request log then names the request id itself). */
  get logIfMade(): Logger | undefined {
    return this.#log;
  }
}

/** Gives every request of `app` a `RequestState` as its `ctx.state`, made when Koa makes the context. */
export function useRequestState(app: Koa<AppState>, logger: Logger): void {
  const createContext = app.createContext.bind(app);
  app.createContext = function (req, res) {
    const ctx = createContext(req, res);
    ctx.state = new RequestState(logger);
    return ctx;
  } as typeof app.createContext;
}
