import { IpBlockedError } from '../../../auth0/bruteForceDecider.js';
import { ConnectionNotEnabledError, SignupDisabledError, WrongVerificationCodeError } from '../../../auth0/passwordlessErrors.js';
import { InvalidGrantError } from '../../../oidc/oauthErrors.js';
import { IdentifierTakenError } from '../../../users/userDirectory.js';
import { UserError } from '../../../users/userDecider.js';
import type { ErrorRenderer, PublicError } from '../../errorRenderers.js';
import { HttpError } from '../../httpError.js';

const text = { type: 'string' } as const;

/** `{ error, error_description }`: OAuth 2.0 (RFC 6749 §5.2), Auth0's Authentication API, the admin API, everything else. */
export const oauthErrorSchema = {
  name: 'OAuthError',
  schema: {
    type: 'object',
    required: ['error', 'error_description'],
    properties: { error: text, error_description: text },
    additionalProperties: false,
  },
};

/** The OAuth 2.0 shape (RFC 6749 §5.2). */
export const oauthErrorBody = ({ code, description }: PublicError) => ({ error: code, error_description: description });

/**
 * At a token endpoint every refusal of the grant itself, whichever service raised it (an unknown, used or foreign
 * code or refresh token, a user that cannot be signed up or no longer exists), is 400 `invalid_grant`.
 */
export function grantRefusal(thrown: unknown): HttpError | undefined {
  if (thrown instanceof InvalidGrantError || thrown instanceof IdentifierTakenError || thrown instanceof UserError) {
    return new HttpError(400, 'invalid_grant', thrown.message, { cause: thrown });
  }
  return undefined;
}

/**
 * The OpenID Provider (`/oidc`) in RFC 6749 §5.2's words, its passwordless grant included: a wrong code is 400
 * `invalid_grant` (Auth0 answers 403 at `/oauth/token`), a connection not enabled for the client
 * `unauthorized_client`, a closed signup `access_denied`, a blocked IP 429 `too_many_attempts`.
 */
function translate(thrown: unknown): HttpError | undefined {
  const refusal = grantRefusal(thrown);
  if (refusal) return refusal;
  if (thrown instanceof WrongVerificationCodeError) return new HttpError(400, 'invalid_grant', thrown.message, { cause: thrown });
  if (thrown instanceof ConnectionNotEnabledError) return new HttpError(400, 'unauthorized_client', thrown.message, { cause: thrown });
  if (thrown instanceof SignupDisabledError) return new HttpError(400, 'access_denied', thrown.message, { cause: thrown });
  if (thrown instanceof IpBlockedError) return new HttpError(429, 'too_many_attempts', thrown.message, { cause: thrown });
  return undefined;
}

export const oidcErrorRenderer: ErrorRenderer = { pathPrefixes: ['/oidc'], translate, render: oauthErrorBody, schema: oauthErrorSchema };
