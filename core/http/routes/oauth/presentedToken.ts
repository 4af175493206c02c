import type { FromSchema } from 'json-schema-to-ts';
import { compileSchema } from '../../../validation/compileSchema.js';

/**
 * The parameters revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1) share: the token, a type hint,
 * and the client's credentials when it sends them in the body.
 */
export const presentedTokenSchema = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', maxLength: 4096 },
    /** A hint only: every kind of token is looked for whatever it says. */
    token_type_hint: { type: 'string', maxLength: 100 },
    client_id: { type: 'string', maxLength: 200 },
    client_secret: { type: 'string', maxLength: 1000 },
  },
} as const;

export const parsePresentedToken = compileSchema<FromSchema<typeof presentedTokenSchema>>(presentedTokenSchema);
