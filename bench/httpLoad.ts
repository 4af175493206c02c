import http from 'node:http';

export interface LoadResponse {
  status: number;
  body: any;
}

/** A keep-alive HTTP client with at most `connections` sockets: what the load benchmarks drive. */
export function jsonClient(baseUrl: string, connections: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const { hostname, port } = new URL(baseUrl);
  /** Any body and headers: a form with HTTP Basic for a token endpoint, JSON for the rest. */
  const send = (method: string, path: string, payload?: string, headers: Record<string, string> = {}): Promise<LoadResponse> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          hostname,
          port,
          method,
          path,
          headers: {
            ...(payload !== undefined && { 'content-length': String(Buffer.byteLength(payload)) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    send,
    request(method: string, path: string, body?: unknown, token?: string): Promise<LoadResponse> {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return send(method, path, payload, {
        ...(payload !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
      });
    },
    close: () => agent.destroy(),
  };
}

export type LoadClient = ReturnType<typeof jsonClient>;

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)]!;
}
