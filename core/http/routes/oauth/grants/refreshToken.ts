import type { FromSchema } from 'json-schema-to-ts';
import { compileSchema } from '../../../../validation/compileSchema.js';
import type { GrantHandler } from '../grant.js';

export const refreshGrantSchema = {
  type: 'object',
  required: ['refresh_token'],
  properties: { refresh_token: { type: 'string', maxLength: 4096 } },
} as const;

const parseRefreshGrant = compileSchema<FromSchema<typeof refreshGrantSchema>>(refreshGrantSchema);

/** RFC 6749 §6 with rotation (`sessionDecider`); a public client presents its client_id, the token is bound to it. */
export const refreshTokenGrant: GrantHandler = async ({ cradle, client, body, dialect, metadata }) => {
  const { refresh_token } = parseRefreshGrant(body);
  const tokens = await cradle.tokens.refresh(client.app, refresh_token, metadata, dialect);
  const session = await cradle.tokens.session(tokens.session_id);
  return { ...tokens, ...(session?.scope && { scope: session.scope }) };
};
