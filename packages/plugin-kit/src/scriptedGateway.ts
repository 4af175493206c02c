import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the gateway answers sends: as a working gateway, or one of the failures the contract suite plays.
 *
 * @example
 * gateway.mode = 'rate_limited'; // every send is answered 429 until the mode changes
 */
export type GatewayMode = 'succeed' | 'reject' | 'unavailable' | 'rate_limited' | 'hang';

/**
 * One request the gateway received, as your test reads it back.
 *
 * @example
 * const sent = gateway.accepted[0] as GatewayRequest;
 * assert.equal(sent.headers.authorization, 'Bearer test-token-123');
 */
export interface GatewayRequest {
  method: string;
  /** Path and query, e.g. `/send-sms`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `body` parsed as JSON or as a form, when it is one. */
  json: unknown;
}

/**
 * An answer the gateway gives: a status, a body (JSON unless a string) and headers.
 *
 * @example
 * const answer: GatewayAnswer = { status: 422, body: { error: 'bad number' }, headers: { 'x-request-id': 'r1' } };
 */
export interface GatewayAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * How the gateway plays your API, when the defaults (`200 {}`, `400`, `503`, `429`) are not what it answers.
 *
 * @example
 * const options: ScriptedGatewayOptions = {
 *   accept: () => ({ status: 201, body: { id: 'msg-1' } }),
 *   always: (request) => (request.url === '/oauth/token' ? { status: 200, body: { access_token: 't' } } : undefined),
 * };
 */
export interface ScriptedGatewayOptions {
  /** The answer to a send in `succeed` mode (default `200 {}`). */
  accept?(request: GatewayRequest): GatewayAnswer;
  /** Requests answered the same in every mode (a token endpoint, a validation challenge); `undefined` for a send. */
  always?(request: GatewayRequest): GatewayAnswer | undefined;
  /** Answers per failure mode; defaults `400`, `503`, `429`. */
  failures?: Partial<Record<'reject' | 'unavailable' | 'rate_limited', GatewayAnswer>>;
}

/**
 * A running scripted gateway: steer it with `mode` and `script`, read what it received, close it.
 *
 * @example
 * gateway.script = ['unavailable', 'unavailable']; // the next two sends fail with 503, then `mode` applies
 * await gateway.close();
 */
export interface ScriptedGateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  mode: GatewayMode;
  /** Modes for the next sends, one each, before `mode` applies again: `['unavailable', 'unavailable']`. */
  script: GatewayMode[];
  /** Every request, oldest first. */
  requests: GatewayRequest[];
  /** The sends answered in `succeed` mode, oldest first. */
  accepted: GatewayRequest[];
  close(): Promise<void>;
}

const defaultFailures = {
  reject: { status: 400, body: { error: 'rejected' } },
  unavailable: { status: 503, body: { error: 'unavailable' } },
  rate_limited: { status: 429, body: { error: 'too many requests' } },
};

/**
 * A real HTTP server on 127.0.0.1 (a free port) that plays a provider's gateway for tests: set `mode` to
 * make it accept, reject (4xx), fail transiently (5xx, 429) or hang; read back what it received.
 *
 * @example
 * const gateway = await startScriptedGateway({ accept: () => ({ status: 200, body: { id: 'm1' } }) });
 * gateway.mode = 'hang';
 */
export async function startScriptedGateway(options: ScriptedGatewayOptions = {}): Promise<ScriptedGateway> {
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: GatewayRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        json: parseBody(body, req.headers['content-type']),
      };
      gateway.requests.push(request);
      const answer = options.always?.(request) ?? answerFor(request);
      if (answer) return reply(res, answer);
      hanging.add(res);
    });
  });
  const answerFor = (request: GatewayRequest): GatewayAnswer | undefined => {
    const mode = gateway.script.shift() ?? gateway.mode;
    switch (mode) {
      case 'succeed':
        gateway.accepted.push(request);
        return options.accept?.(request) ?? { status: 200, body: {} };
      case 'hang':
        return undefined;
      default:
        return options.failures?.[mode] ?? defaultFailures[mode];
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gateway: ScriptedGateway = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'succeed',
    script: [],
    requests: [],
    accepted: [],
    close: () => closeGatewayServer(server, hanging),
  };
  return gateway;
}

/**
 * Stops a test gateway at once: answers still hanging are cut, open connections closed. For your own
 * `node:http` gateway server in tests; `ScriptedGateway.close()` already does this.
 *
 * @example
 * const hanging = new Set<ServerResponse>();
 * after(() => closeGatewayServer(server, hanging));
 */
export function closeGatewayServer(server: Server, hanging: Iterable<ServerResponse>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function reply(res: ServerResponse, answer: GatewayAnswer): void {
  const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json', ...answer.headers });
  res.end(text);
}

function parseBody(body: string, contentType: string | undefined): unknown {
  if (!body) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
