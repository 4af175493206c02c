import { startScriptedGateway, type GatewayMode, type ScriptedGateway } from '@otpledger/plugin-kit/testing';
import type { SmsMessage } from '@otpledger/plugin-kit';

/**
 * A Mosaic-style custom SMS gateway on 127.0.0.1, as the seed describes one: POST sends (checked against
 * `apiKey`), GET answers the validation challenge by echoing `X-Verification-Key`.
 */
export async function startCustomGateway(apiKey: string): Promise<{
  url: string;
  server: ScriptedGateway;
  controls: { setMode(mode: GatewayMode): void; received(): SmsMessage[]; close(): Promise<void> };
}> {
  const server = await startScriptedGateway({
    always(req) {
      if (req.headers['x-api-key'] !== apiKey) return { status: 401, body: 'Invalid request' };
      if (req.method === 'GET') return { status: 200, body: { key: req.headers['x-verification-key'] } };
      return undefined;
    },
  });
  const received = () =>
    server.accepted.map((req) => {
      const body = req.json as { phone_number: string; sender_id: string; message: string };
      return { to: body.phone_number, body: body.message, ...(body.sender_id && { senderId: body.sender_id }) };
    });
  return { url: server.url, server, controls: { setMode: (mode) => void (server.mode = mode), received, close: () => server.close() } };
}
