import {
  startScriptedGateway,
  type ContractGateway,
  type GatewayAnswer,
  type GatewayRequest,
  type ScriptedGateway,
} from '@otpledger/plugin-kit/testing';
import { responseExample } from './twilioOpenApi.js';

export const ACCOUNT_SID = `AC${'1f'.repeat(16)}`;
export const AUTH_TOKEN = 'auth-token-for-tests-0123456789';
export const MESSAGING_SERVICE_SID = `MG${'2e'.repeat(16)}`;

/** Twilio's error body: `{code, message, more_info, status}`. */
export function twilioError(status: number, code: number, message: string): GatewayAnswer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export interface TwilioGateway extends ContractGateway {
  scripted: ScriptedGateway;
  /** Answer the next sends with this instead of the mode's answer. */
  nextAnswer?: GatewayAnswer;
}

/**
 * A fake `api.twilio.com` on 127.0.0.1: checks HTTP Basic auth like Twilio (401, code 20003), answers
 * `GET /Accounts/{sid}.json`, and answers a message create with 201 and the spec's own example resource.
 */
export async function startTwilioGateway(settings: Record<string, unknown> = { from: '+15005550006' }): Promise<TwilioGateway> {
  const expectedAuth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  let sent = 0;
  const gateway: TwilioGateway = {} as TwilioGateway;
  const scripted = await startScriptedGateway({
    always(request) {
      if (request.headers.authorization !== expectedAuth) return twilioError(401, 20003, 'Authenticate');
      if (request.method === 'GET' && request.url === `/2010-04-01/Accounts/${ACCOUNT_SID}.json`) {
        return { status: 200, body: { ...responseExample('FetchAccount', '200', 'fetch'), sid: ACCOUNT_SID } };
      }
      return gateway.nextAnswer;
    },
    accept: (request) => ({ status: 201, body: createdMessage(request, ++sent) }),
    failures: {
      reject: twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
      unavailable: twilioError(503, 20503, 'Service unavailable'),
      rate_limited: twilioError(429, 20429, 'Too Many Requests'),
    },
  });
  return Object.assign(gateway, {
    scripted,
    config: { account_sid: ACCOUNT_SID, auth_token: AUTH_TOKEN, api_base_url: scripted.url, ...settings },
    setMode: (mode: ScriptedGateway['mode']) => void (scripted.mode = mode),
    received: () =>
      scripted.accepted.map((request) => {
        const form = request.json as Record<string, string>;
        return { to: form.To!, body: form.Body!, ...(form.From ? { senderId: form.From } : {}) };
      }),
    close: () => scripted.close(),
  });
}

/** The spec's 201 example, with what we sent, a fresh sid, and two segments for a long body. */
function createdMessage(request: GatewayRequest, n: number): Record<string, unknown> {
  const form = request.json as Record<string, string>;
  const sid = `SM${n.toString(16).padStart(32, '0')}`;
  return {
    ...responseExample('CreateMessage', '201', 'create'),
    sid,
    to: form.To,
    from: form.From ?? null,
    body: form.Body,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_segments: (form.Body ?? '').length > 160 ? '2' : '1',
  };
}
