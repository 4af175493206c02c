import type { FromSchema } from 'json-schema-to-ts';
import type { Application } from '../../../../applications/applicationDecider.js';
import type { Cradle } from '../../../../cradle.js';
import type { EventMetadata } from '../../../../eventStore/types.js';
import type { AuthorizationCodeGrant } from '../../../../oidc/authorizationCodeEvents.js';
import { InvalidGrantError } from '../../../../oidc/oauthErrors.js';
import { ALL_SCOPES } from '../../../../oidc/tokenService.js';
import { compileSchema } from '../../../../validation/compileSchema.js';
import type { GrantHandler } from '../grant.js';

export const codeGrantSchema = {
  type: 'object',
  required: ['code', 'redirect_uri'],
  properties: {
    code: { type: 'string', maxLength: 200 },
    redirect_uri: { type: 'string', maxLength: 2000 },
    /** RFC 7636 §4.1: 43 to 128 unreserved characters. */
    code_verifier: { type: 'string', pattern: '^[A-Za-z0-9._~-]{43,128}$' },
  },
} as const;

const parseCodeGrant = compileSchema<FromSchema<typeof codeGrantSchema>>(codeGrantSchema);

/**
 * RFC 6749 §4.1.3: the code of a redirect SMS login, once, with its redirect_uri and its PKCE verifier. The
 * session id is chosen first and recorded with the redemption, so a replay of the code can revoke it. The OTP
 * that led to the code proved the phone: it is verified from the first SMS login on.
 */
export const authorizationCodeGrant: GrantHandler = async ({ cradle, client, body, dialect, metadata }) => {
  const { code, redirect_uri, code_verifier } = parseCodeGrant(body);
  const { app } = client;
  const sid = cradle.ids.uuid();
  const codeGrant = await cradle.authorizationCodes.redeem({
    code,
    clientId: app.clientId,
    redirectUri: redirect_uri,
    sid,
    requirePkce: client.method === 'none',
    metadata,
    ...(code_verifier !== undefined && { codeVerifier: code_verifier }),
  });
  const userId = codeGrant.userId ?? (await signUp(cradle, app, codeGrant, metadata));
  const user = await cradle.users.verifyPhone(codeGrant.tenantId, userId, codeGrant.phoneNumber, 'login', metadata);
  const tokens = await cradle.tokens.startSession({
    app,
    user,
    amr: ['otp', 'sms'],
    grant: 'authorization_code',
    sid,
    dialect,
    metadata,
    ...(codeGrant.nonce !== undefined && { nonce: codeGrant.nonce }),
  });
  return { ...tokens, scope: ALL_SCOPES };
};

/** A code for a phone with no user yet: a new user, only if the login asked for it and the app allows sign-up. */
async function signUp(
  { users }: Cradle,
  app: Application,
  codeGrant: AuthorizationCodeGrant,
  metadata: Partial<EventMetadata>,
): Promise<string> {
  if (!codeGrant.createNewUser || !app.public_signup) {
    throw new InvalidGrantError('user_not_found', 'no user has this phone number and this application does not sign up new users');
  }
  const { user } = await users.createOrAddToApp(codeGrant.tenantId, app.clientId, { phoneNumber: codeGrant.phoneNumber }, metadata);
  return user.userId;
}
