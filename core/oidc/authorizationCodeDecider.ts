import { timingSafeEqual } from 'node:crypto';
import type { Decider } from '../decider/decider.js';
import { InvalidGrantError } from './oauthErrors.js';
import type { AuthorizationCodeEvent, AuthorizationCodeGrant } from './authorizationCodeEvents.js';

export type AuthorizationCodeState = { grant: AuthorizationCodeGrant; redeemed: boolean; sid?: string } | undefined;

export type AuthorizationCodeCommand =
  | { type: 'IssueAuthorizationCode'; grant: AuthorizationCodeGrant }
  | {
      type: 'RedeemAuthorizationCode';
      clientId: string;
      redirectUri: string;
      now: Date;
      /** The session the redemption will start: recorded, so a replay can revoke it. */
      sid: string;
      /** base64url(SHA-256(code_verifier)) of the verifier presented, if any. */
      verifierChallenge?: string;
      /** A public client must have used PKCE. */
      requirePkce?: boolean;
    };

export type AuthorizationCodeRule =
  | 'code_exists'
  | 'unknown_code'
  | 'code_used'
  | 'wrong_client'
  | 'wrong_redirect_uri'
  | 'code_expired'
  | 'pkce_required'
  | 'pkce_mismatch'
  | 'pkce_unexpected';

/** Any refusal to redeem a code: OAuth `invalid_grant`, `rule` says which. */
export class AuthorizationCodeError extends InvalidGrantError {
  constructor(
    override readonly rule: AuthorizationCodeRule,
    description: string,
  ) {
    super(rule, description);
  }
}

/**
 * An authorization code (RFC 6749 §4.1) works once, before it expires, for the client it was issued
 * to, with the redirect URI it was issued for (§4.1.3) and, when it was issued with a PKCE challenge, with
 * the verifier of that challenge (RFC 7636 §4.6; a verifier for a code without a challenge is refused too,
 * OAuth 2.1 §4.1.3). A refused redemption records nothing, except a code presented again after its
 * redemption: that is recorded (`AuthorizationCodeReplayed`), and the caller revokes the first redemption's session.
 */
export const authorizationCodeDecider: Decider<AuthorizationCodeState, AuthorizationCodeCommand, AuthorizationCodeEvent> = {
  initialState: () => undefined,

  decide(command, state) {
    switch (command.type) {
      case 'IssueAuthorizationCode':
        // 256 random bits: a collision means a broken random source, never bad luck
        if (state) throw new AuthorizationCodeError('code_exists', 'authorization code already issued');
        return [{ type: 'AuthorizationCodeIssued', data: command.grant }];
      case 'RedeemAuthorizationCode': {
        if (!state) throw new AuthorizationCodeError('unknown_code', 'unknown authorization code');
        const at = command.now.toISOString();
        if (state.redeemed)
          return [{ type: 'AuthorizationCodeReplayed', data: { clientId: command.clientId, at, ...(state.sid && { sid: state.sid }) } }];
        const { grant } = state;
        if (grant.clientId !== command.clientId)
          throw new AuthorizationCodeError('wrong_client', 'the authorization code was issued to another client');
        if (grant.redirectUri !== command.redirectUri) {
          throw new AuthorizationCodeError('wrong_redirect_uri', 'redirect_uri does not match the one the code was issued for');
        }
        if (command.now.getTime() >= Date.parse(grant.expiresAt))
          throw new AuthorizationCodeError('code_expired', 'the authorization code has expired');
        checkPkce(grant, command);
        return [{ type: 'AuthorizationCodeRedeemed', data: { clientId: command.clientId, at, sid: command.sid } }];
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'AuthorizationCodeIssued':
        return { grant: event.data, redeemed: false };
      case 'AuthorizationCodeRedeemed':
        return state && { ...state, redeemed: true, ...(event.data.sid && { sid: event.data.sid }) };
      case 'AuthorizationCodeReplayed':
        return state;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};

function checkPkce(grant: AuthorizationCodeGrant, command: { verifierChallenge?: string; requirePkce?: boolean }): void {
  const { codeChallenge } = grant;
  const presented = command.verifierChallenge;
  if (!codeChallenge) {
    if (presented !== undefined)
      throw new AuthorizationCodeError('pkce_unexpected', 'code_verifier was sent, but the code was issued without a code_challenge');
    if (command.requirePkce)
      throw new AuthorizationCodeError('pkce_required', 'a public client must use PKCE: the code was issued without a code_challenge');
    return;
  }
  if (presented === undefined)
    throw new AuthorizationCodeError('pkce_required', 'code_verifier is required: the code was issued with a code_challenge');
  const [a, b] = [Buffer.from(codeChallenge), Buffer.from(presented)];
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new AuthorizationCodeError('pkce_mismatch', 'code_verifier does not match the code_challenge');
}
