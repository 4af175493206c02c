import got from 'got';
import { transportFailure, type ProviderEgress } from '@otpledger/plugin-kit';

/** How errors and timeouts name Marketing Cloud. */
export const WHAT = 'Salesforce Marketing Cloud';

export interface SfmcResponse {
  status: number;
  /** The parsed JSON body, or `undefined` when the body was empty or not JSON. */
  body: unknown;
}

/**
 * One JSON POST to Marketing Cloud. HTTP statuses are returned, not thrown, so the callers map them; got's
 * own retries are off because the dispatcher owns retries. Transport failures become kit errors here.
 * Every request goes through the server's guarded agents (`egress`, SSRF).
 */
export async function postJson(
  url: string,
  json: object,
  signal: AbortSignal,
  egress: ProviderEgress,
  bearer?: string,
): Promise<SfmcResponse> {
  try {
    const response = await got.post(url, {
      json,
      agent: egress.agent,
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      signal,
      throwHttpErrors: false,
      followRedirect: false,
      retry: { limit: 0 },
      responseType: 'text',
    });
    return { status: response.statusCode, body: parseJson(response.body) };
  } catch (error) {
    throw transportFailure(error, WHAT);
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
