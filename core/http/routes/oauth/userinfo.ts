import type { Cradle } from '../../../cradle.js';
import { ALL_SCOPES } from '../../../oidc/tokenService.js';
import { requireUser, type AuthedState, type UserAuth } from '../../auth.js';
import { HttpError } from '../../httpError.js';
import type { Middleware } from 'koa';

/**
 * OpenID Connect userinfo (Core §5.3), GET or POST, with a user access token of an active session (the
 * Authorization header, or `access_token` in a POST form, RFC 6750 §2.2). Claims by the token's scopes:
 * `openid` → `sub`, `phone` → `phone_number`, `phone_number_verified`, `email` → `email`, `profile` → `username`;
 * always the user as they are now.
 */
export function userinfoEndpoint({ tokens, users }: Pick<Cradle, 'tokens' | 'users'>): Middleware<AuthedState<UserAuth>>[] {
  return [
    requireUser(tokens, { bodyToken: true }),
    async (ctx) => {
      const { tenantId, userId, scope = ALL_SCOPES } = ctx.state.auth;
      const user = await users.getUser(tenantId, userId);
      if (!user) {
        throw new HttpError(401, 'invalid_token', 'the user of this token no longer exists', {
          headers: { 'WWW-Authenticate': 'Bearer realm="otpledger", error="invalid_token"' },
        });
      }
      const scopes = new Set(scope.split(' '));
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        sub: user.userId,
        ...(scopes.has('phone') && user.phoneNumber && { phone_number: user.phoneNumber, phone_number_verified: user.phoneNumberVerified }),
        ...(scopes.has('email') && user.email && { email: user.email }),
        ...(scopes.has('profile') && user.username && { username: user.username }),
      };
    },
  ];
}
