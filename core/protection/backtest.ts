import type { RecordedEvent } from '../eventStore/types.js';
import type { OtpIssuedData, UnknownIdentifierCodeData } from '../otp/otpEvents.js';
import { screenSend, withSend, type SendHistory } from '../otp/sendScreening.js';
import { MinuteCounters } from './minuteCounters.js';
import { QUARANTINE_HOURS } from './prefixEvents.js';
import { quarantineThreshold } from './pumpingRule.js';
import type { SmsProtectionPolicy } from './smsProtectionPolicy.js';
import { REFUSAL_REASONS, type RefusalReason } from './smsSendRefused.js';

const HOUR = 3_600_000;

export const BACKTEST_EVENT_TYPES = ['OtpIssued', 'OtpRequestedForUnknownIdentifier', 'OtpVerified'] as const;

export interface BacktestReport {
  /** Codes asked for in the replayed log (real sends and unknown identifiers' codes). */
  sends: number;
  /** Per reason: sends the policy would have refused or held back, and how many of those codes were verified later (false positives). */
  refused: Record<RefusalReason, { refused: number; laterVerified: number }>;
  /** Number ranges the pumping guard would have quarantined (counting each quarantine). */
  quarantines: number;
  /** Rules the log cannot replay, and why. */
  notReplayed: Partial<Record<RefusalReason, string>>;
}

interface StreamSim {
  history: SendHistory;
  /** The stream's latest code: whether the policy let it through, and why not. */
  latest?: { otpId: string; reason?: RefusalReason; prefix?: string };
  /** A code of this stream that the policy let through was verified: the number is exempt from the pumping guard. */
  verified: boolean;
}

interface RangeSim {
  /** Codes sent and verified per hour (epoch hours) under the replayed policy. */
  hours: Map<number, { sent: number; verified: number }>;
  quarantinedUntil?: number;
  since: number;
}

/**
 * Replays a tenant's OTP events under a policy, in order: every code asked for is screened as the send path
 * would have screened it (cooldown and per-phone cap on the codes the policy let through, the tenant's budget,
 * countries and number types from what the code recorded, the pumping guard over the ranges' sends and
 * verifications), and each refusal is checked against what happened next: a refused code that was verified
 * later was a real user (a false positive). The per-address limit cannot be replayed: the log keeps no
 * addresses. Pure over its input, so a test can feed it events.
 */
export async function backtest(
  events: AsyncIterable<RecordedEvent>,
  policy: SmsProtectionPolicy,
  onEvent?: (event: RecordedEvent) => void,
): Promise<BacktestReport> {
  const report: BacktestReport = {
    sends: 0,
    refused: Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, { refused: 0, laterVerified: 0 }])) as BacktestReport['refused'],
    quarantines: 0,
    notReplayed: { ip_limit: 'the log keeps no caller addresses (refusals keep only a keyed hash)' },
  };
  const streams = new Map<string, StreamSim>();
  const ranges = new Map<string, RangeSim>();
  const tenantSends = new MinuteCounters();
  const screening = { phone: policy.limits.phone, facts: { clientId: '' } };

  for await (const event of events) {
    onEvent?.(event);
    const sim = streams.get(event.streamName) ?? { history: { sendsPerMinute: {} }, verified: false };
    streams.set(event.streamName, sim);
    if (event.type === 'OtpVerified') {
      const { otpId, at } = event.data as { otpId: string; at: string };
      if (sim.latest?.otpId !== otpId) continue;
      if (sim.latest.reason) report.refused[sim.latest.reason].laterVerified += 1;
      else {
        sim.verified = true;
        if (sim.latest.prefix) hourOf(range(ranges, sim.latest.prefix), Date.parse(at)).verified += 1;
      }
      continue;
    }
    const code = event.data as OtpIssuedData | UnknownIdentifierCodeData;
    const real = event.type === 'OtpIssued';
    const issued = real ? (code as OtpIssuedData) : undefined;
    const now = Date.parse(code.issuedAt);
    report.sends += 1;
    const refuse = (reason: RefusalReason) => {
      report.refused[reason].refused += 1;
      sim.latest = { otpId: code.otpId, reason };
    };
    if (issued && destinationRefused(policy, issued)) {
      refuse(destinationRefused(policy, issued)!);
      continue;
    }
    const phone = screenSend(screening, sim.history, now);
    if (phone.verdict === 'refuse') {
      refuse(phone.refusal.reason);
      continue;
    }
    const tenant = policy.limits.tenant;
    if (real && tenantSends.count('', now, tenant.window_minutes).total >= tenant.max_sends) {
      refuse('tenant_limit');
      continue;
    }
    sim.history = { lastSendAt: now, sendsPerMinute: withSend(sim.history.sendsPerMinute, now) };
    const prefix = issued?.prefix;
    if (prefix && policy.pumping_guard.mode !== 'off' && !sim.verified) {
      const rangeSim = range(ranges, prefix);
      hourOf(rangeSim, now).sent += 1; // traffic to the range, held back or not
      if (rangeSim.quarantinedUntil !== undefined && rangeSim.quarantinedUntil <= now) {
        rangeSim.since = rangeSim.quarantinedUntil;
        rangeSim.quarantinedUntil = undefined;
      }
      if (rangeSim.quarantinedUntil === undefined && quarantineThreshold(activity(rangeSim, now), policy.pumping_guard) !== undefined) {
        rangeSim.quarantinedUntil = now + QUARANTINE_HOURS * HOUR;
        report.quarantines += 1;
      }
      if (rangeSim.quarantinedUntil !== undefined) {
        refuse('pumping_guard');
        continue;
      }
    }
    if (real) tenantSends.add('', now, 1);
    sim.latest = { otpId: code.otpId, ...(prefix && { prefix }) };
  }
  return report;
}

function destinationRefused(policy: SmsProtectionPolicy, code: OtpIssuedData): RefusalReason | undefined {
  if (code.country !== undefined) {
    const countries = policy.countries;
    if ('deny' in countries ? countries.deny.includes(code.country) : countries.allow.length > 0 && !countries.allow.includes(code.country))
      return 'country';
  }
  if (code.numberType !== undefined && (policy.number_types.deny as readonly string[]).includes(code.numberType)) return 'number_type';
  return undefined;
}

function range(ranges: Map<string, RangeSim>, prefix: string): RangeSim {
  let sim = ranges.get(prefix);
  if (!sim) ranges.set(prefix, (sim = { hours: new Map(), since: 0 }));
  return sim;
}

function hourOf(sim: RangeSim, at: number) {
  const hour = Math.floor(at / HOUR);
  let counts = sim.hours.get(hour);
  if (!counts) sim.hours.set(hour, (counts = { sent: 0, verified: 0 }));
  return counts;
}

function activity(sim: RangeSim, now: number) {
  const fromHour = Math.floor(Math.max(now - 24 * HOUR, sim.since) / HOUR);
  const days = new Map<number, number>();
  let sent = 0;
  let verified = 0;
  for (const [hour, counts] of sim.hours) {
    if (hour < Math.floor(now / HOUR) - 14 * 24) sim.hours.delete(hour);
    else days.set(Math.floor(hour / 24), (days.get(Math.floor(hour / 24)) ?? 0) + counts.verified);
    if (hour >= fromHour) {
      sent += counts.sent;
      verified += counts.verified;
    }
  }
  return { sent, verified, busiestVerifiedDay: Math.max(0, ...days.values()) };
}
