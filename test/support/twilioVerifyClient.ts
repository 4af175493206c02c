import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { accountSidOf } from '../../core/twilioVerify/accountSid.js';

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

/**
 * The official SDK's RequestClient with every request sent to `baseUrl` instead of the host it names
 * (`https://verify.twilio.com`): the SDK builds, authenticates and parses as it would against Twilio.
 */
class LocalRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ autoRetry: false });
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const local = new URL(this.baseUrl);
    const uri = new URL(opts.uri);
    uri.protocol = local.protocol;
    uri.host = local.host;
    return super.request<TData>({ ...opts, uri: uri.href });
  }
}

/** `twilio(clientId, clientSecret, { accountSid })` against a local otpledger, as a migrating team would configure it. */
export function twilioVerifyClient(baseUrl: string, clientId: string, clientSecret: string, tenantId = 'acme') {
  return twilio(clientId, clientSecret, { accountSid: accountSidOf(tenantId), httpClient: new LocalRequestClient(baseUrl) });
}

/** A Twilio SDK failure: the HTTP status and Twilio's code from the body. */
export async function twilioFailure(call: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await call;
  } catch (error) {
    const { status, code, message, moreInfo } = error as { status: number; code: number; message: string; moreInfo: string };
    return { status, code, message, moreInfo };
  }
  throw new Error('the call succeeded');
}
