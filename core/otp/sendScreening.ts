import type { RefusalFacts, RefusalReason, SmsSendRefusedData } from '../protection/smsSendRefused.js';
import type { SendsPerMinute } from './otpEvents.js';

/**
 * What the screening of one send needs inside the phone's stream: the tenant's per-phone limits, the verdicts
 * taken outside it (the caller's address and the tenant's budget, counted per process and from the read
 * models; the pumping guard's on the number's range), and the facts a refusal records.
 */
export interface SendScreening {
  phone: { cooldown_seconds: number; max_sends: number; window_minutes: number };
  outside?: { reason: Extract<RefusalReason, 'ip_limit' | 'tenant_limit'>; retryAfterSeconds: number };
  /** The number's range is quarantined: held back (`enforce`) or only recorded (`monitor`). */
  pumping?: { mode: 'enforce' | 'monitor'; silent: boolean; retryAfterSeconds: number };
  /**
   * A destination rule refused the number of a user found by another identifier (email, username, user id):
   * held back silently, since a refusal would say the identifier exists.
   */
  destination?: SmsSendRefusedData;
  facts: RefusalFacts;
}

/** A stream's recent sends: when the last was, and how many in each minute of the last day. */
export interface SendHistory {
  lastSendAt?: number;
  sendsPerMinute: SendsPerMinute;
}

export type ScreeningVerdict =
  | { verdict: 'send'; monitored?: SmsSendRefusedData }
  | { verdict: 'refuse'; refusal: SmsSendRefusedData }
  /** Issue the code and answer as sent, but send nothing (a silent hold-back). */
  | { verdict: 'hold'; refusal: SmsSendRefusedData };

const MINUTE = 60_000;
const DAY_MINUTES = 1440;

const minuteOf = (at: number) => new Date(at).toISOString().slice(0, 16);
const minuteStart = (minute: string) => Date.parse(`${minute}:00.000Z`);

/** The history after a send at `at`, trimmed to the last day. */
export function withSend(history: SendsPerMinute, at: number): SendsPerMinute {
  const minute = minuteOf(at);
  return trimmed({ ...history, [minute]: (history[minute] ?? 0) + 1 }, at);
}

/** Only the minutes of the day before `at`: what an `OtpIssued` carries forward. */
export function trimmed(history: SendsPerMinute, at: number): SendsPerMinute {
  const oldest = at - DAY_MINUTES * MINUTE;
  return Object.fromEntries(Object.entries(history).filter(([minute]) => minuteStart(minute) > oldest));
}

/**
 * The per-phone rules and the outside verdicts, in order: cooldown, the phone's cap in its window (the
 * current minute and the `window_minutes - 1` before it), the address and tenant limits, a silent destination
 * refusal, the pumping guard.
 * Pure: `now` comes in, so a decider test needs no clock.
 */
export function screenSend(screening: SendScreening, history: SendHistory, now: number): ScreeningVerdict {
  const at = new Date(now).toISOString();
  const refusal = (reason: RefusalReason, retryAfterMs: number, extra: Partial<SmsSendRefusedData> = {}): SmsSendRefusedData => ({
    ...screening.facts,
    reason,
    mode: 'enforce',
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    ...extra,
    at,
  });
  const { cooldown_seconds: cooldown, max_sends: maxSends, window_minutes: windowMinutes } = screening.phone;
  if (history.lastSendAt !== undefined && now < history.lastSendAt + cooldown * 1000) {
    return { verdict: 'refuse', refusal: refusal('cooldown', history.lastSendAt + cooldown * 1000 - now) };
  }
  const windowStart = minuteStart(minuteOf(now)) - (windowMinutes - 1) * MINUTE;
  const inWindow = Object.entries(history.sendsPerMinute).filter(([minute]) => minuteStart(minute) >= windowStart);
  if (inWindow.reduce((sum, [, count]) => sum + count, 0) >= maxSends) {
    const oldest = Math.min(...inWindow.map(([minute]) => minuteStart(minute)));
    return { verdict: 'refuse', refusal: refusal('phone_limit', oldest + windowMinutes * MINUTE - now) };
  }
  if (screening.outside)
    return { verdict: 'refuse', refusal: refusal(screening.outside.reason, screening.outside.retryAfterSeconds * 1000) };
  if (screening.destination) return { verdict: 'hold', refusal: { ...screening.destination, silent: true, at } };
  const pumping = screening.pumping;
  if (pumping?.mode === 'enforce') {
    const held = refusal('pumping_guard', pumping.retryAfterSeconds * 1000, { silent: pumping.silent });
    return pumping.silent ? { verdict: 'hold', refusal: held } : { verdict: 'refuse', refusal: held };
  }
  if (pumping?.mode === 'monitor')
    return { verdict: 'send', monitored: refusal('pumping_guard', pumping.retryAfterSeconds * 1000, { mode: 'monitor' }) };
  return { verdict: 'send' };
}
