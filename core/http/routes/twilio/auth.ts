import type { Middleware } from 'koa';
import type { ApplicationRegistry } from '../../../applications/applicationRegistry.js';
import type { ApplicationRole } from '../../../applications/applicationEvents.js';
import type { AppState } from '../../types.js';
import { TwilioError } from './twilioErrors.js';

/** The client behind a Twilio API call: its tenant is the Twilio account. */
export interface TwilioCaller {
  tenantId: string;
  clientId: string;
  role: ApplicationRole;
}

export type TwilioState = AppState & { twilio: TwilioCaller };

/**
 * 401 20003, Twilio's answer to missing or wrong credentials (twilio.com/docs/api/errors/20003); unknown client
 * and wrong secret answer alike.
 */
const authenticate = () => new TwilioError(401, 20003, 'Authenticate', { headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' } });

/** `Basic base64(sid:secret)`, sent by Twilio's SDKs as is (no form encoding of either half). */
function basicCredentials(authorization: string): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}

/**
 * HTTP Basic with a client's id and secret in the place of Twilio's API key SID and secret (the SDK:
 * `twilio(clientId, clientSecret, { accountSid })`). Admits clients of one of `roles` (403 20403 otherwise).
 */
export function requireTwilioClient(
  applications: Pick<ApplicationRegistry, 'authenticate'>,
  roles: readonly ApplicationRole[],
): Middleware<TwilioState> {
  return async (ctx, next) => {
    const credentials = basicCredentials(ctx.get('Authorization'));
    const app = credentials && (await applications.authenticate(credentials.id, credentials.secret));
    if (!app) throw authenticate();
    if (!roles.includes(app.role)) throw new TwilioError(403, 20403, `this resource is for ${roles.join(' or ')} clients`);
    ctx.state.twilio = { tenantId: app.tenantId, clientId: app.clientId, role: app.role };
    await next();
  };
}
