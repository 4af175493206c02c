import { DomainError, type Decider } from '../decider/decider.js';

/**
 * Auth0's brute-force protection for passwordless logins: consecutive failed logins of one user
 * (phone) from one IP address block that IP for that user; other IPs are not affected.
 * Stream: `bruteForceStreamId(tenant, phoneHash, ipHash)`.
 */
export type BruteForceEvent =
  | { type: 'LoginFailedFromIp'; data: { consecutive: number; at: string } }
  | { type: 'LoginSucceededFromIp'; data: { at: string } }
  | { type: 'IpBlockedForUser'; data: { until: string; failures: number; at: string } }
  /** An admin lifted the block (`DELETE /api/v2/user-blocks`). */
  | { type: 'IpUnblockedForUser'; data: { at: string } };

export interface BruteForceState {
  consecutive: number;
  blockedUntil?: number;
}

export type BruteForceCommand =
  | { type: 'CheckIp'; now: Date }
  | { type: 'RecordLoginFailure'; now: Date; limit: number; blockMinutes: number }
  | { type: 'RecordLoginSuccess'; now: Date }
  | { type: 'UnblockIp'; now: Date };

export class IpBlockedError extends DomainError {
  constructor(readonly until: Date) {
    super('too_many_attempts', 'Your account has been blocked after multiple consecutive login attempts.', 'limited');
  }
}

/** Every IP's stream for one user: the prefix of their names. */
export const bruteForceStreamPrefix = (tenantId: string, phoneHash: string) => `bruteforce-${tenantId}-${phoneHash}-`;
export const bruteForceStreamId = (tenantId: string, phoneHash: string, ipHash: string) =>
  `${bruteForceStreamPrefix(tenantId, phoneHash)}${ipHash}`;

export const isBlocked = (state: BruteForceState, now: Date) => state.blockedUntil !== undefined && state.blockedUntil > now.getTime();

export const bruteForceDecider: Decider<BruteForceState, BruteForceCommand, BruteForceEvent> = {
  initialState: () => ({ consecutive: 0 }),

  decide(command, state) {
    if (command.type === 'UnblockIp') {
      return isBlocked(state, command.now) ? [{ type: 'IpUnblockedForUser', data: { at: command.now.toISOString() } }] : [];
    }
    if (isBlocked(state, command.now)) throw new IpBlockedError(new Date(state.blockedUntil!));
    const at = command.now.toISOString();
    switch (command.type) {
      case 'CheckIp':
        return [];
      case 'RecordLoginSuccess':
        return state.consecutive === 0 ? [] : [{ type: 'LoginSucceededFromIp', data: { at } }];
      case 'RecordLoginFailure': {
        const consecutive = state.consecutive + 1;
        const events: BruteForceEvent[] = [{ type: 'LoginFailedFromIp', data: { consecutive, at } }];
        if (consecutive >= command.limit) {
          const until = new Date(command.now.getTime() + command.blockMinutes * 60_000).toISOString();
          events.push({ type: 'IpBlockedForUser', data: { until, failures: consecutive, at } });
        }
        return events;
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'LoginFailedFromIp':
        return { ...state, consecutive: event.data.consecutive };
      case 'LoginSucceededFromIp':
        return { consecutive: 0 };
      case 'IpBlockedForUser':
        return { consecutive: 0, blockedUntil: Date.parse(event.data.until) };
      case 'IpUnblockedForUser':
        return { consecutive: 0 };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },

  isSnapshot: (event) => event.type !== 'LoginFailedFromIp',
};
