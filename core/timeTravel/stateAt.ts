import { applicationDecider } from '../applications/applicationDecider.js';
import { clientStreamId, type ApplicationEvent } from '../applications/applicationEvents.js';
import { redactValue } from '../audit/redact.js';
import { foldEvents } from '../decider/commandHandler.js';
import type { Decider } from '../decider/decider.js';
import type { EventStore, RecordedEvent } from '../eventStore/types.js';
import { otpDecider } from '../otp/otpDecider.js';
import { otpStreamId, type OtpEvent } from '../otp/otpEvents.js';
import { tenantSmsDecider } from '../sms/tenantSmsDecider.js';
import { tenantSmsStreamId, type TenantSmsEvent } from '../sms/tenantSmsEvents.js';
import type { SmsProtectionPolicy } from '../protection/smsProtectionPolicy.js';
import { userDecider } from '../users/userDecider.js';
import { userStreamId, type UserEvent } from '../users/userEvents.js';
import { parsePhoneNumber, phoneNumberHash } from '../users/phoneNumber.js';

export const stateKinds = ['user', 'provider', 'policy', 'lockouts', 'protection'] as const;
export type StateKind = (typeof stateKinds)[number];

/** A moment: an instant (events recorded at or before it) or a global position (events up to it). */
export type PointInTime = { time: Date } | { position: number };

/** `2026-11-22T14:02:00Z` or `1234` (a global position). */
export function parsePointInTime(at: string): PointInTime {
  if (/^\d+$/.test(at)) return { position: Number(at) };
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) throw new TypeError('at must be an ISO 8601 time or a global position');
  return { time };
}

export interface StateAt {
  kind: StateKind;
  id: string;
  at: string;
  /** The last event folded (its global position), 0 when none. */
  asOfPosition: number;
  /** Undefined when the thing did not exist yet at that moment. */
  state: unknown;
}

const upTo = (point: PointInTime) => (event: RecordedEvent) =>
  'time' in point ? event.recordedAt.getTime() <= point.time.getTime() : event.globalPosition <= point.position;

async function foldUpTo<State, Event extends { type: string; data: unknown }>(
  eventStore: EventStore,
  stream: string,
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
  point: PointInTime,
): Promise<{ state: State; last: RecordedEvent | undefined }> {
  const events = await eventStore.readStream(stream);
  const keep = upTo(point);
  const end = events.findIndex((event) => !keep(event)); // a stream is in global (and recorded) order
  const kept = end === -1 ? events : events.slice(0, end);
  return { state: foldEvents(decider, kept), last: kept[kept.length - 1] };
}

/**
 * What something looked like at a moment, answered by folding its stream(s) up to that point with the
 * deciders' own `evolve`, the same fold the command side uses. Never reads the read models.
 */
export async function stateAt(
  { eventStore, hmacKey, protectionDefaults }: { eventStore: EventStore; hmacKey: Buffer; protectionDefaults: SmsProtectionPolicy },
  tenantId: string,
  kind: StateKind,
  id: string,
  point: PointInTime,
): Promise<StateAt> {
  const at = 'time' in point ? point.time.toISOString() : String(point.position);
  switch (kind) {
    case 'user': {
      const { state, last } = await foldUpTo<ReturnType<typeof userDecider.initialState>, UserEvent>(
        eventStore,
        userStreamId(tenantId, id),
        userDecider,
        point,
      );
      return { kind, id, at, asOfPosition: last?.globalPosition ?? 0, state };
    }
    case 'policy': {
      const { state, last } = await foldUpTo<ReturnType<typeof applicationDecider.initialState>, ApplicationEvent>(
        eventStore,
        clientStreamId(id),
        applicationDecider,
        point,
      );
      if (!state || state.tenantId !== tenantId) return { kind, id, at, asOfPosition: 0, state: undefined };
      const { secretHash: _secretHash, ...policy } = state;
      return { kind, id, at, asOfPosition: last?.globalPosition ?? 0, state: policy };
    }
    case 'provider': {
      const keep = upTo(point);
      let current: RecordedEvent | undefined;
      for (const event of await eventStore.readStream(tenantSmsStreamId(tenantId))) {
        if (!keep(event)) break;
        if (event.type === 'ProviderConfigured') current = event;
      }
      const state = current && {
        configuredAt: current.recordedAt.toISOString(),
        configuredBy: current.metadata.actor,
        settings: redactValue(current.data),
      };
      return { kind, id: tenantId, at, asOfPosition: current?.globalPosition ?? 0, state };
    }
    case 'protection': {
      // the tenant's SMS protection policy then: the defaults until one was configured
      const { state, last } = await foldUpTo<ReturnType<typeof tenantSmsDecider.initialState>, TenantSmsEvent>(
        eventStore,
        tenantSmsStreamId(tenantId),
        tenantSmsDecider,
        point,
      );
      const configured = state.protection;
      const policy = configured
        ? { policy: configured.policy, configuredAt: configured.configuredAt, defaults: false }
        : { policy: protectionDefaults, configuredAt: null, defaults: true };
      return { kind, id: tenantId, at, asOfPosition: last?.globalPosition ?? 0, state: policy };
    }
    case 'lockouts': {
      // the id is a phone number (E.164) or its keyed hash
      const phoneHash = /^[0-9a-f]{64}$/.test(id) ? id : phoneNumberHash(hmacKey, parsePhoneNumber(id).e164);
      const state: Record<string, { lockedOut: boolean; lockedUntil: string | undefined; failedAttempts: number }> = {};
      let asOfPosition = 0;
      const moment = 'time' in point ? point.time.getTime() : undefined;
      for (const purpose of ['login', 'verify'] as const) {
        const { state: otp, last } = await foldUpTo<ReturnType<typeof otpDecider.initialState>, OtpEvent>(
          eventStore,
          otpStreamId(tenantId, purpose, phoneHash),
          otpDecider,
          point,
        );
        asOfPosition = Math.max(asOfPosition, last?.globalPosition ?? 0);
        // at a position, "then" is when the last event up to it was recorded
        const then = moment ?? last?.recordedAt.getTime() ?? 0;
        state[purpose] = {
          lockedOut: otp.lockedUntil !== undefined && otp.lockedUntil > then,
          lockedUntil: otp.lockedUntil === undefined ? undefined : new Date(otp.lockedUntil).toISOString(),
          failedAttempts: otp.failedAttempts,
        };
      }
      return { kind, id, at, asOfPosition, state };
    }
    default: {
      const unreachable: never = kind;
      throw new TypeError(`unknown kind ${String(unreachable)}`);
    }
  }
}
