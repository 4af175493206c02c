import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FuzzRequest } from './malformedRequests.js';

export interface BurstResult {
  request: FuzzRequest;
  /** The status, or undefined when the connection dropped before a whole response arrived. */
  status?: number;
  body: string;
  /** Why there is no status: the client's error (`ECONNRESET`, `socket hang up`, a timeout). */
  dropped?: string;
  /** From sending to the last byte of the answer. */
  ms: number;
}

/**
 * Sends `requests` to `baseUrl` over keep-alive connections, `concurrency` at a time, and returns one
 * result per request in order. Nothing is retried: a request whose connection fails is reported as
 * dropped, which is what a client would see.
 */
export async function sendBurst(baseUrl: string, requests: readonly FuzzRequest[], { concurrency = 8, timeoutMs = 10_000 } = {}): Promise<BurstResult[]> {
  const { hostname, port } = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results: BurstResult[] = new Array<BurstResult>(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      results[index] = await sendOne(agent, hostname, Number(port), requests[index]!, timeoutMs);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return results;
}

function sendOne(agent: Agent, host: string, port: number, fuzz: FuzzRequest, timeoutMs: number): Promise<BurstResult> {
  const started = performance.now();
  return new Promise((done) => {
    const resolve = (result: Omit<BurstResult, 'ms'>) => done({ ...result, ms: performance.now() - started });
    const req = request({ agent, host, port, method: fuzz.method, path: fuzz.path, headers: fuzz.headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ request: fuzz, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => resolve({ request: fuzz, body: '', dropped: `response: ${error.message}` }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ request: fuzz, body: '', dropped: error.message }));
    req.end(fuzz.body);
  });
}
