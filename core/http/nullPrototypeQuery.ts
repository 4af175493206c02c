import type Koa from 'koa';
import type { ParsedUrlQuery } from 'node:querystring';
import { parseUrlEncoded } from './urlEncoded.js';

const parsed = Symbol('otpledger.query');

type CachingRequest = Koa.Request & { [parsed]?: { text: string; query: ParsedUrlQuery } };

/**
 * Makes `ctx.query` (and `ctx.request.query`) a null-prototype object for every request of `app`. Koa's
 * own parse returns an ordinary object, so `ctx.query.toString` is a function when the client sent no
 * `toString`. A repeated key becomes an array, as in Koa. Installed on the app's request prototype, so every
 * route, present and future, reads the same parse; cached per request like Koa's.
 */
export function useNullPrototypeQuery(app: Pick<Koa, 'request'>): void {
  const koaQuery = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(app.request) as object, 'query');
  Object.defineProperty(app.request, 'query', {
    configurable: true,
    enumerable: true,
    get(this: CachingRequest): ParsedUrlQuery {
      const text = this.querystring;
      const cached = this[parsed];
      if (cached?.text === text) return cached.query;
      const query: ParsedUrlQuery = parseUrlEncoded(text);
      this[parsed] = { text, query };
      return query;
    },
    set(this: CachingRequest, value: ParsedUrlQuery) {
      koaQuery?.set?.call(this, value);
    },
  });
}
