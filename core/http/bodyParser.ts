import contentType from 'content-type';
import type { IncomingMessage } from 'node:http';
import { jsonNestsDeeperThan, MAX_NESTING_DEPTH } from '../validation/nestingDepth.js';
import { NotPlainDataError, nullPrototypeCopy } from '../validation/plainData.js';
import { badRequest, payloadTooLarge, unsupportedMediaType, type HttpError } from './httpError.js';
import type { AppMiddleware } from './types.js';
import { parseUrlEncoded } from './urlEncoded.js';

declare module 'koa' {
  interface Request {
    /** The parsed body: an object for JSON and forms, undefined when there was none or its type is not ours. */
    body?: unknown;
  }
}

/**
 * Parses JSON (`application/json`, `*+json`) and HTML-form (`application/x-www-form-urlencoded`) bodies
 * into `ctx.request.body`, refusing more than `limit` bytes with 413 and malformed JSON with 400.
 * Written on the node stream directly: two formats do not justify another dependency.
 *
 * Every object it builds has a null prototype, so a field named `toString` or `__proto__` is a field like
 * any other, and JSON nested deeper than `MAX_NESTING_DEPTH` is refused with 400 before it is parsed.
 */
export function bodyParser({ limit }: { limit: number }): AppMiddleware {
  return async (ctx, next) => {
    const type = hasBody(ctx.req) ? bodyType(ctx.req.headers['content-type']) : undefined;
    if (type) {
      const { kind, charset } = type;
      if (charset && !/^utf-?8$/i.test(charset)) throw unsupportedMediaType(`charset ${charset} is not supported, use utf-8`);
      const text = (await readBody(ctx.req, limit)).toString('utf8');
      ctx.request.body = kind === 'json' ? parseJson(text) : parseUrlEncoded(text);
    }
    await next();
  };
}

/**
 * The body's format from its `Content-Type`: JSON (`application/json`, any `+json` type) or a form; undefined for
 * any other type. The type is the text before the first `;`, as type-is matched it, so a header a client writes
 * loosely (`application/json;`, `...; charset=utf-8;`) still has its body read; the charset is read where the
 * parameters parse (content-type, Koa's own parser), none otherwise, as Koa's `request.charset` answered.
 */
function bodyType(header: string | undefined): { kind: 'json' | 'form'; charset: string | undefined } | undefined {
  if (!header) return undefined;
  const separator = header.indexOf(';');
  const type = (separator === -1 ? header : header.slice(0, separator)).trim().toLowerCase();
  const kind =
    type === 'application/x-www-form-urlencoded'
      ? 'form'
      : type === 'application/json' || (type.endsWith('+json') && /^[\w.+-]+\/[\w.+-]+$/.test(type))
        ? 'json'
        : undefined;
  if (!kind) return undefined;
  let charset: string | undefined;
  try {
    charset = contentType.parse(header).parameters.charset;
  } catch {
    charset = undefined;
  }
  return { kind, charset };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return Object.create(null);
  if (jsonNestsDeeperThan(text, MAX_NESTING_DEPTH)) throw badRequest(`request body nests deeper than ${MAX_NESTING_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON');
  }
  try {
    return nullPrototypeCopy(parsed);
  } catch (error) {
    // a number too large for a double (1e999) parses as Infinity
    if (error instanceof NotPlainDataError) throw badRequest(`request body: ${error.message}`);
    throw error;
  }
}

/** Collects the body, failing as soon as it is known to exceed `limit` (declared or counted). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(payloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: HttpError | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        // Whatever is left is discarded by node once the response is sent.
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(payloadTooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onError = () => finish(badRequest('request body could not be read'));
    const onClose = () => finish(badRequest('request body was cut short'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
