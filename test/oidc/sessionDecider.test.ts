import { sessionDecider, SessionError, type SessionCommand } from '../../core/oidc/sessionDecider.js';
import type { IssuedTokens, SessionEvent } from '../../core/oidc/sessionEvents.js';
import { spec } from '../support/givenWhenThen.js';

const tokens = (n: number): IssuedTokens => ({
  accessTokenJti: `at-${n}`,
  refreshTokenJti: `rt-${n}`,
  expiresAt: `2026-11-22T1${n}:00:00.000Z`,
});
const session = { sid: 's1', tenantId: 'acme', clientId: 'acme-web', userId: 'u1', amr: ['otp', 'sms'] };
const started: SessionEvent = { type: 'SessionStarted', data: session };
const issued = (n: number, grant: 'otp' | 'refresh_token' = n === 1 ? 'otp' : 'refresh_token'): SessionEvent => ({
  type: 'TokensIssued',
  data: { grant, ...tokens(n) },
});
const refresh = (presented: number, next: number, clientId = 'acme-web'): SessionCommand => ({
  type: 'RefreshSession',
  clientId,
  presentedRefreshTokenJti: `rt-${presented}`,
  tokens: tokens(next),
});
const reuse = (presented: number): SessionEvent => ({
  type: 'SessionRevoked',
  data: { reason: 'refresh_token_reuse', refreshTokenJti: `rt-${presented}` },
});

describe('session decider', () => {
  const sessions = spec(sessionDecider);

  it('starts a session and records the ids of its first tokens', () => {
    sessions
      .given([])
      .when({ type: 'StartSession', ...session, grant: 'otp', tokens: tokens(1) })
      .then([started, issued(1)]);
  });

  it('never starts the same session twice', () => {
    sessions
      .given([started, issued(1)])
      .when({ type: 'StartSession', ...session, grant: 'otp', tokens: tokens(2) })
      .then(SessionError);
  });

  it('rotates: the latest refresh token gets the next tokens', () => {
    sessions
      .given([started, issued(1)])
      .when(refresh(1, 2))
      .then([issued(2)]);
    sessions
      .given([started, issued(1), issued(2)])
      .when(refresh(2, 3))
      .then([issued(3)]);
  });

  it('revokes the session when an older refresh token comes back', () => {
    sessions
      .given([started, issued(1), issued(2)])
      .when(refresh(1, 3))
      .then([reuse(1)]);
  });

  it('refuses every refresh once the session is revoked, even with the latest token', () => {
    sessions
      .given([started, issued(1), issued(2), reuse(1)])
      .when(refresh(2, 3))
      .then(SessionError);
  });

  it('refuses another client', () => {
    sessions
      .given([started, issued(1)])
      .when(refresh(1, 2, 'other-app'))
      .then(SessionError);
  });

  it('refuses a session that does not exist', () => {
    sessions.given([]).when(refresh(1, 2)).then(SessionError);
  });
});
