import { request } from 'node:http';

export interface Answer {
  status: number;
  body: any;
  /** Not enumerable, so a test can compare `{ status, body }` with deep equality. */
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  token?: string;
  /** Source address of the connection (127.0.0.1, 127.0.0.2, ...): the client IP the server sees. */
  localAddress?: string;
  form?: boolean;
  userAgent?: string;
  headers?: Record<string, string>;
}

/**
 * An Auth0-style client over node:http (not fetch): it can choose its source address, so tests can play two
 * end users on two IPs without the server trusting any proxy header.
 */
export function call(baseUrl: string, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Answer> {
  const payload =
    body === undefined ? undefined : options.form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ...(options.localAddress && { localAddress: options.localAddress }),
        headers: {
          ...(payload !== undefined && { 'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json' }),
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(options.userAgent && { 'user-agent': options.userAgent }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const answer = { status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined };
          resolve(Object.defineProperty(answer, 'headers', { value: res.headers, enumerable: false }) as Answer);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
