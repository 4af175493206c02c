import { Agent, request } from 'node:http';
import { connect } from 'node:net';
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
export async function sendBurst(
  baseUrl: string,
  requests: readonly FuzzRequest[],
  { concurrency = 8, timeoutMs = 10_000 } = {},
): Promise<BurstResult[]> {
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

export interface RawResult {
  frame: string;
  label: string;
  /** The status of the first response line, or undefined when the connection closed without one. */
  status?: number;
  answer: string;
}

/**
 * Writes each raw frame on a fresh connection (`concurrency` at a time) and reads whatever the server answers
 * until it closes the connection (or `timeoutMs` passes, which counts as no answer).
 */
export async function sendRawFrames(
  port: number,
  frames: readonly { frame: string; label: string }[],
  { concurrency = 8, timeoutMs = 10_000 } = {},
): Promise<RawResult[]> {
  const results: RawResult[] = new Array<RawResult>(frames.length);
  let next = 0;
  const worker = async () => {
    while (next < frames.length) {
      const index = next++;
      const { frame, label } = frames[index]!;
      const answer = await rawExchange(port, frame, timeoutMs);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];
      results[index] = { frame, label, answer, ...(status && { status: Number(status) }) };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** Everything the server answered to `frame` on a fresh connection before it closed it. */
export function rawExchange(port: number, frame: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(frame));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined); // a reset after the answer: what was read is the result
    socket.setTimeout(timeoutMs, () => socket.destroy());
  });
}
