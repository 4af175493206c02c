import {
  startScriptedGateway,
  type ContractGateway,
  type GatewayAnswer,
  type GatewayRequest,
  type ScriptedGateway,
} from '@otpledger/plugin-kit/testing';

export const CLIENT_ID = 'sfmc-client-id';
export const CLIENT_SECRET = 'sfmc-client-secret-0123456789';
export const DEFINITION_KEY = 'otp-verification';
const SEND_PATH = /^\/rest\/messaging\/v1\/sms\/messages\/([^/]+)$/;

export interface SfmcGateway extends ContractGateway {
  scripted: ScriptedGateway;
  /** Token requests received, per endpoint. */
  tokenRequests: GatewayRequest[];
  /** Send attempts received (any answer), with the messageKey of their path. */
  sendAttempts: { messageKey: string; authorization?: string; json: any }[];
  /** Seconds the next tokens live (`expires_in` / `expiresIn`). */
  lifetimeSeconds: number;
  /** Makes every token issued so far invalid, as if Marketing Cloud revoked them. */
  expireTokens(): void;
  /** Answers the next N sends with 401 whatever the token. */
  unauthorizedSends: number;
  /** Answers the next send with this instead of the mode's answer. */
  nextAnswer?: GatewayAnswer;
  /** The `rest_instance_url` the token answer names, instead of this gateway's own `/rest/`. */
  restInstanceUrl?: string;
}

/**
 * A fake Marketing Cloud on 127.0.0.1 speaking both package types: `/v2/token` (enhanced, JSON
 * client_credentials, answers `rest_instance_url` = `<url>/rest/`) and `/v1/requestToken` (legacy). Sends
 * under `/rest/messaging/v1/sms/messages/{messageKey}` need a live bearer token, else 401 errorcode 40001.
 */
export async function startSfmcGateway(packageType: 'enhanced' | 'legacy' = 'enhanced'): Promise<SfmcGateway> {
  const live = new Set<string>();
  let issued = 0;
  const gateway = { tokenRequests: [], sendAttempts: [], lifetimeSeconds: 1080, unauthorizedSends: 0 } as unknown as SfmcGateway;

  const issue = (): string => {
    const token = `token-${++issued}`;
    live.add(token);
    return token;
  };

  const always = (request: GatewayRequest): GatewayAnswer | undefined => {
    const body = (request.json ?? {}) as Record<string, unknown>;
    if (request.method === 'POST' && request.url === '/v2/token') {
      gateway.tokenRequests.push(request);
      if (body.grant_type !== 'client_credentials' || body.client_id !== CLIENT_ID || body.client_secret !== CLIENT_SECRET) {
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: 'Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.',
          },
        };
      }
      const rest = gateway.restInstanceUrl ?? `${scripted.url}/rest/`;
      return {
        status: 200,
        body: {
          access_token: issue(),
          token_type: 'Bearer',
          expires_in: gateway.lifetimeSeconds,
          scope: 'sms_send',
          soap_instance_url: `${scripted.url}/soap/`,
          rest_instance_url: rest,
        },
      };
    }
    if (request.method === 'POST' && request.url === '/v1/requestToken') {
      gateway.tokenRequests.push(request);
      if (body.clientId !== CLIENT_ID || body.clientSecret !== CLIENT_SECRET) {
        return { status: 401, body: { message: 'Unauthorized', errorcode: 1, documentation: '' } };
      }
      return { status: 200, body: { accessToken: issue(), expiresIn: gateway.lifetimeSeconds } };
    }
    const match = SEND_PATH.exec(request.url);
    if (request.method !== 'POST' || !match) return { status: 404, body: { message: 'Not Found', errorcode: 404 } };
    const messageKey = decodeURIComponent(match[1]!);
    gateway.sendAttempts.push({ messageKey, authorization: request.headers.authorization, json: request.json });
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (gateway.unauthorizedSends > 0 || !token || !live.has(token)) {
      gateway.unauthorizedSends = Math.max(0, gateway.unauthorizedSends - 1);
      return { status: 401, body: { message: 'Not Authorized', errorcode: 40001, documentation: '' } };
    }
    if (messageKey.length > 100) return { status: 400, body: { message: 'messageKey too long', errorcode: 10001 } };
    if ((body as { definitionKey?: unknown }).definitionKey !== DEFINITION_KEY) {
      return { status: 404, body: { message: 'Definition not found', errorcode: 30003, documentation: '' } };
    }
    const answer = gateway.nextAnswer;
    gateway.nextAnswer = undefined;
    return answer;
  };

  const scripted = await startScriptedGateway({
    always,
    accept: (request) => ({
      status: 202,
      body: {
        requestId: `req-${scripted.accepted.length}`,
        errorcode: 0,
        responses: [{ messageKey: decodeURIComponent(SEND_PATH.exec(request.url)![1]!) }],
      },
    }),
    failures: {
      reject: { status: 400, body: { message: 'Invalid request', errorcode: 10002, documentation: '' } },
      unavailable: { status: 503, body: 'Service Unavailable' },
      rate_limited: { status: 429, body: { message: 'Too many requests', errorcode: 429 } },
    },
  });

  return Object.assign(gateway, {
    scripted,
    config: {
      subdomain: 'mc563885gzs27c5t9-63k636ttgm',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      message_id: DEFINITION_KEY,
      package_type: packageType,
      auth_base_url: scripted.url,
      // A legacy token carries no rest_instance_url: say where the REST API is.
      ...(packageType === 'legacy' ? { rest_base_url: `${scripted.url}/rest/` } : {}),
    },
    setMode: (mode: ScriptedGateway['mode']) => void (scripted.mode = mode),
    received: () =>
      scripted.accepted.map((request) => {
        const json = request.json as { recipient: { to: string }; content: { message: string } };
        return { to: `+${json.recipient.to}`, body: json.content.message };
      }),
    expireTokens: () => live.clear(),
    close: () => scripted.close(),
  });
}
