import { HttpError } from '../../../httpError.js';
import type { GrantHandler } from '../grant.js';

/** RFC 6749 §4.4: the application's own access token; a public client has no credentials to prove. */
export const clientCredentialsGrant: GrantHandler = async ({ cradle, client }) => {
  if (client.method === 'none') throw new HttpError(400, 'unauthorized_client', 'a public client cannot use client_credentials');
  return cradle.tokens.issueClientToken(client.app);
};
