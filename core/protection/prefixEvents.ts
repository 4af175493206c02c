import type { Decider } from '../decider/decider.js';

/**
 * The pumping guard's decisions about one number range of a tenant (`prefixStreamId`): a range whose codes go
 * unverified is quarantined for 12 hours (sends to it are held back), then lifts by itself; it is quarantined
 * again if the traffic goes on.
 */
export interface PrefixQuarantinedData {
  tenantId: string;
  /** The E.164 number without its last 4 digits. */
  prefix: string;
  /** `monitor`: recorded only, sends go on. */
  mode: 'enforce' | 'monitor';
  quarantinedAt: string;
  until: string;
  /** What tipped it, over the 24 hours before (since the last release): codes sent and verified, and the threshold. */
  sent: number;
  verified: number;
  threshold: number;
  /** Global positions of `OtpIssued` events that were counted (up to 50): the evidence. */
  evidencePositions: number[];
}

export interface PrefixReleasedData {
  tenantId: string;
  prefix: string;
  quarantinedAt: string;
  until: string;
  at: string;
}

export type PrefixEvent = { type: 'PrefixQuarantined'; data: PrefixQuarantinedData } | { type: 'PrefixReleased'; data: PrefixReleasedData };

export const prefixStreamId = (tenantId: string, prefix: string) => `smsprefix-${tenantId}-${prefix}`;

export const QUARANTINE_HOURS = 12;

export interface PrefixState {
  quarantine?: PrefixQuarantinedData;
}

export type PrefixCommand = { type: 'Quarantine'; now: Date; quarantine: PrefixQuarantinedData } | { type: 'Release'; now: Date };

const active = (state: PrefixState, now: Date) => state.quarantine !== undefined && Date.parse(state.quarantine.until) > now.getTime();

/** Quarantines a range at most once at a time, and releases it only once its time is up. */
export const prefixDecider: Decider<PrefixState, PrefixCommand, PrefixEvent> = {
  initialState: () => ({}),
  decide(command, state) {
    switch (command.type) {
      case 'Quarantine':
        return active(state, command.now) ? [] : [{ type: 'PrefixQuarantined', data: command.quarantine }];
      case 'Release': {
        const quarantine = state.quarantine;
        if (!quarantine || active(state, command.now)) return [];
        const { tenantId, prefix, quarantinedAt, until } = quarantine;
        return [{ type: 'PrefixReleased', data: { tenantId, prefix, quarantinedAt, until, at: command.now.toISOString() } }];
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },
  evolve(_state, event) {
    switch (event.type) {
      case 'PrefixQuarantined':
        return { quarantine: event.data };
      case 'PrefixReleased':
        return {};
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
  isSnapshot: () => true,
};
