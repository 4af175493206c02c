import type { Decider } from '../decider/decider.js';
import { InvalidGrantError } from './oauthErrors.js';
import type { AuthorizationCodeEvent, AuthorizationCodeGrant } from './authorizationCodeEvents.js';

export type AuthorizationCodeState = { grant: AuthorizationCodeGrant; redeemed: boolean } | undefined;

export type AuthorizationCodeCommand =
  | { type: 'IssueAuthorizationCode'; grant: AuthorizationCodeGrant }
  | { type: 'RedeemAuthorizationCode'; clientId: string; redirectUri: string; now: Date };

export type AuthorizationCodeRule = 'code_exists' | 'unknown_code' | 'code_used' | 'wrong_client' | 'wrong_redirect_uri' | 'code_expired';

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
 * to and with the redirect URI it was issued for (§4.1.3). A refused redemption records nothing.
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
        if (state.redeemed) throw new AuthorizationCodeError('code_used', 'the authorization code has already been used');
        const { grant } = state;
        if (grant.clientId !== command.clientId) throw new AuthorizationCodeError('wrong_client', 'the authorization code was issued to another client');
        if (grant.redirectUri !== command.redirectUri) {
          throw new AuthorizationCodeError('wrong_redirect_uri', 'redirect_uri does not match the one the code was issued for');
        }
        if (command.now.getTime() >= Date.parse(grant.expiresAt)) throw new AuthorizationCodeError('code_expired', 'the authorization code has expired');
        return [{ type: 'AuthorizationCodeRedeemed', data: { clientId: command.clientId, at: command.now.toISOString() } }];
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
        return state && { ...state, redeemed: true };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};
