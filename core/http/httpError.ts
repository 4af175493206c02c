/**
 * The one HTTP error: a status, an OAuth-style `code` (`invalid_request`, `not_found`, ...) and a
 * description for the client. Koa's contract: `expose` says whether the description may be shown;
 * for 5xx it is not (the error handler answers a generic message and logs the detail) unless the
 * thrower says the description is safe (`expose: true`, e.g. a failed SMS delivery).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly expose: boolean;
  /** Response headers that belong with the error, e.g. `WWW-Authenticate`. */
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    options: { headers?: Record<string, string>; cause?: unknown; expose?: boolean } = {},
  ) {
    super(description, { cause: options.cause });
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (description: string) => new HttpError(400, 'invalid_request', description);
export const unauthorized = (description: string, headers?: Record<string, string>) =>
  new HttpError(401, 'unauthorized', description, { headers });
export const forbidden = (description: string) => new HttpError(403, 'forbidden', description);
export const notFound = (description = 'not found') => new HttpError(404, 'not_found', description);
export const payloadTooLarge = (limit: number) => new HttpError(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
export const unsupportedMediaType = (description: string) => new HttpError(415, 'unsupported_media_type', description);
