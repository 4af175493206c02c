import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, type JWTPayload } from 'jose';
import { closeGatewayServer, type ContractGateway, type GatewayMode } from '@otpledger/plugin-kit/testing';

export interface GatewayAuth {
  subject: string;
  audience: string;
  secret: string;
  secretBase64Encoded?: boolean;
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  json: any;
  /** The verified JWT claims, when the gateway checks tokens and this one passed. */
  claims?: JWTPayload;
  /** Answered 200. */
  accepted?: boolean;
}

export interface Auth0Gateway extends ContractGateway {
  url: string;
  mode: GatewayMode;
  /** Every request, oldest first (refused ones too). */
  requests: ReceivedRequest[];
  /** When set, the status every send gets (after the token check) instead of the mode's. */
  status?: number;
}

const FAILURES = { reject: 400, unavailable: 503, rate_limited: 429 } as const;

/**
 * A gateway as a customer would write it for Auth0, on 127.0.0.1: when `auth` is given it verifies the
 * `Authorization: Bearer` JWT with jose (HS256, the shared secret, `sub`, `aud`, `iat` and `exp` required)
 * and answers 401 otherwise; then it answers by mode: 200, 400, 503, 429, or never.
 */
export async function startAuth0Gateway(auth?: GatewayAuth, settings: Record<string, unknown> = {}): Promise<Auth0Gateway> {
  const key =
    auth && (auth.secretBase64Encoded ? new Uint8Array(Buffer.from(auth.secret, 'base64url')) : new TextEncoder().encode(auth.secret));
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const received: ReceivedRequest = { headers: req.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') };
      gateway.requests.push(received);
      if (key) {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        try {
          const verified = await jwtVerify(token, key, {
            algorithms: ['HS256'],
            subject: auth!.subject,
            audience: auth!.audience,
            requiredClaims: ['iat', 'exp'],
          });
          received.claims = verified.payload;
        } catch {
          return res.writeHead(401).end('Unauthorized');
        }
      }
      if (gateway.mode === 'hang') return void hanging.add(res);
      const status = gateway.status ?? (gateway.mode === 'succeed' ? 200 : FAILURES[gateway.mode]);
      received.accepted = status === 200;
      // Auth0 ignores the body and its type; answer something that is not JSON to prove we do too.
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'queued' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;

  const gateway: Auth0Gateway = {
    url,
    mode: 'succeed',
    requests: [],
    config: {
      gateway_url: url,
      from: '+1 234 567',
      ...(auth && {
        gateway_authentication: {
          method: 'bearer',
          subject: auth.subject,
          audience: auth.audience,
          secret: auth.secret,
          secret_base64_encoded: auth.secretBase64Encoded ?? false,
        },
      }),
      ...settings,
    },
    setMode: (mode) => void (gateway.mode = mode),
    received: () =>
      gateway.requests.filter((r) => r.accepted).map((r) => ({ to: r.json.recipient, body: r.json.body, senderId: r.json.sender })),
    close: () => closeGatewayServer(server, hanging),
  };
  return gateway;
}
