import type { Decider } from '../decider/decider.js';
import { InvalidGrantError } from './oauthErrors.js';
import type { IssuedTokens, SessionEvent, SessionGrant, SessionRevocationReason } from './sessionEvents.js';

export interface Session {
  sid: string;
  tenantId: string;
  clientId: string;
  userId: string;
  amr: string[];
  scope?: string;
  /** The only refresh token that may still be used. */
  refreshTokenJti?: string;
  revoked: boolean;
}

export type SessionState = Session | undefined;

export type SessionCommand =
  | {
      type: 'StartSession';
      sid: string;
      tenantId: string;
      clientId: string;
      userId: string;
      amr: string[];
      scope?: string;
      grant: SessionGrant;
      tokens: IssuedTokens;
    }
  | { type: 'RefreshSession'; clientId: string; presentedRefreshTokenJti: string; tokens: IssuedTokens }
  | { type: 'RevokeSession'; reason: Exclude<SessionRevocationReason, 'refresh_token_reuse'>; clientId?: string; tokenJti?: string };

export type SessionRule = 'session_exists' | 'session_not_found' | 'session_revoked' | 'wrong_client' | 'refresh_token_reuse';

export class SessionError extends InvalidGrantError {
  constructor(
    override readonly rule: SessionRule,
    description: string,
  ) {
    super(rule, description);
  }
}

/**
 * Rotating refresh tokens (RFC 9700 §4.14.2): only the latest refresh token of a session works, and
 * using it replaces it. Presenting an older one means two parties hold the session's tokens (a thief and
 * the client, or a client racing itself); which one is honest cannot be told, so the session is revoked.
 * A revoked session stays revoked; revoking one that has not started yet (a replayed authorization code
 * racing its first redemption) leaves a tombstone, so it never starts.
 */
export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  initialState: () => undefined,

  decide(command, state) {
    switch (command.type) {
      case 'StartSession': {
        if (state) throw new SessionError('session_exists', `session ${command.sid} already exists`);
        const { sid, tenantId, clientId, userId, amr, scope, grant, tokens } = command;
        return [
          { type: 'SessionStarted', data: { sid, tenantId, clientId, userId, amr, ...(scope !== undefined && { scope }) } },
          { type: 'TokensIssued', data: { grant, ...tokens } },
        ];
      }
      case 'RefreshSession': {
        if (!state) throw new SessionError('session_not_found', 'the refresh token belongs to no session');
        if (state.revoked) throw new SessionError('session_revoked', 'the session has been revoked');
        if (state.clientId !== command.clientId) throw new SessionError('wrong_client', 'the refresh token was issued to another client');
        if (state.refreshTokenJti !== command.presentedRefreshTokenJti) {
          return [{ type: 'SessionRevoked', data: { reason: 'refresh_token_reuse', refreshTokenJti: command.presentedRefreshTokenJti } }];
        }
        return [{ type: 'TokensIssued', data: { grant: 'refresh_token', ...command.tokens } }];
      }
      case 'RevokeSession': {
        if (state?.revoked) return [];
        const { reason, clientId, tokenJti } = command;
        return [{ type: 'SessionRevoked', data: { reason, ...(clientId && { clientId }), ...(tokenJti && { tokenJti }) } }];
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SessionStarted':
        return { ...event.data, revoked: false };
      case 'TokensIssued':
        return state && { ...state, refreshTokenJti: event.data.refreshTokenJti };
      case 'SessionRevoked':
        // the tombstone of a session revoked before it started: nobody's, and revoked
        return state ? { ...state, revoked: true } : { sid: '', tenantId: '', clientId: '', userId: '', amr: [], revoked: true };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
};
