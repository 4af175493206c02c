import type { Clock } from '../clock.js';
import { keyedHash } from '../crypto/keyedHash.js';
import { handleCommand } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { OtpEvent } from '../otp/otpEvents.js';
import type { RequestContext } from '../otp/requestContext.js';
import type { SendScreening } from '../otp/sendScreening.js';
import type { PhoneNumber } from '../users/phoneNumber.js';
import { prefixActivity, quarantineOf, tenantSends } from '../../projections/smsProtection.js';
import type { ReadModelStore } from '../../projections/readModelStore.js';
import { MinuteCounters } from './minuteCounters.js';
import { prefixDecider, prefixStreamId, QUARANTINE_HOURS } from './prefixEvents.js';
import { quarantineThreshold } from './pumpingRule.js';
import { metered } from './screeningCost.js';
import type { SmsProtectionPolicies } from './smsProtectionPolicies.js';
import type { SmsProtectionPolicy } from './smsProtectionPolicy.js';
import type { RefusalFacts, SmsSendRefusedData } from './smsSendRefused.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Sends this process made that the read models may not show yet; beyond it the oldest are forgotten. */
const MAX_PENDING = 100_000;

/** Who a send is for: a phone (known, or unknown but a number), or an unknown identifier of another kind. */
export interface ScreeningTarget {
  tenantId: string;
  clientId: string;
  phone?: PhoneNumber;
  /** The keyed hash naming the stream: the phone's, or the identifier's. */
  recipientHash: string;
  request: RequestContext;
  /** The recipient verified this number before: exempt from the pumping guard. */
  exempt: boolean;
  /** The identifier asked for is the number itself (its destination was refused before the user lookup). */
  byNumber: boolean;
  metadata: Partial<EventMetadata>;
}

/** A send this process made (or is making): counted until the read models show it. */
interface PendingSend {
  tenantId: string;
  prefix: string | undefined;
  at: number;
  /** The tenant's budget counts it (not a silent hold-back). */
  spends: boolean;
  /** Its `OtpIssued` position once appended; until then it is in flight. */
  position?: number;
}

export interface PreparedScreening {
  screening: SendScreening;
  /** After the decider ran: what it appended (and where), so the reservations stand or go. */
  settle(events: readonly OtpEvent[], position: number): void;
  /** The decider threw (a lockout): nothing was sent. */
  cancel(): void;
}

/**
 * The screening that happens outside the phone's stream, once on the one send path for every dialect:
 * the destination rules (countries, number types), the per-address limit for public clients (counted in this
 * process), the tenant's budget and the pumping guard (counted from the `sms_protection` read model, a moment
 * behind the log across processes, plus this process's own sends it does not show yet). The phone's own limits
 * are decided in its stream (`screenSend`), exact across processes.
 */
export class SmsScreening {
  private readonly ipCounts = new MinuteCounters();
  private pending: PendingSend[] = [];

  constructor(
    private readonly deps: {
      eventStore: EventStore;
      readModels: ReadModelStore;
      projectionRunner: { position: number };
      clock: Clock;
      secrets: { hmacKey: Buffer };
      smsProtectionPolicies: SmsProtectionPolicies;
    },
  ) {}

  policy(tenantId: string): Promise<SmsProtectionPolicy> {
    return this.deps.smsProtectionPolicies.policy(tenantId);
  }

  /** The refusal of a number by the destination rules, or undefined when it may be sent to. */
  destinationRefusal(policy: SmsProtectionPolicy, phone: PhoneNumber, facts: RefusalFacts, now: Date): SmsSendRefusedData | undefined {
    return metered(() => {
      const countries = policy.countries;
      const countryRefused =
        'deny' in countries
          ? countries.deny.includes(phone.country)
          : countries.allow.length > 0 && !countries.allow.includes(phone.country);
      const at = now.toISOString();
      if (countryRefused) return { ...facts, reason: 'country', mode: 'enforce', at } as const;
      if ((policy.number_types.deny as readonly string[]).includes(phone.numberType))
        return { ...facts, reason: 'number_type', mode: 'enforce', at } as const;
      return undefined;
    });
  }

  facts(target: ScreeningTarget): RefusalFacts {
    const { phone, request } = target;
    return {
      clientId: target.clientId,
      ...(phone ? { phoneHash: target.recipientHash } : { identifierHash: target.recipientHash }),
      ...(phone && {
        countryCallingCode: phone.countryCallingCode,
        country: phone.country,
        numberType: phone.numberType,
        prefix: phone.prefix,
      }),
      ...(request.publicClient && { ipHash: keyedHash(this.deps.secrets.hmacKey, 'ip', request.ip) }),
    };
  }

  async prepare(target: ScreeningTarget, policy: SmsProtectionPolicy, now: Date, forUnknown: boolean): Promise<PreparedScreening> {
    const facts = this.facts(target);
    const at = now.getTime();
    const step = metered(() => this.limits(target, policy, facts, at, forUnknown));
    let pumping: SendScreening['pumping'];
    if (step.pumping) pumping = await this.pumpingVerdict(target, policy, step.pumping, now);
    const destination = target.phone && !target.byNumber ? this.destinationRefusal(policy, target.phone, facts, now) : undefined;
    const screening: SendScreening = {
      phone: policy.limits.phone,
      facts,
      ...(step.outside && { outside: step.outside }),
      ...(pumping && { pumping }),
      ...(destination && { destination }),
    };
    const release = () => {
      if (step.ipKey) this.ipCounts.add(step.ipKey, at, -1);
      if (step.pending) this.pending = this.pending.filter((entry) => entry !== step.pending);
    };
    return {
      screening,
      settle: (events, position) =>
        metered(() => {
          const issued = events.some((event) => event.type === 'OtpIssued' || event.type === 'OtpRequestedForUnknownIdentifier');
          if (!issued) return release();
          const held = events.some((event) => event.type === 'SmsSendRefused' && event.data.mode === 'enforce' && event.data.silent);
          if (step.pending) Object.assign(step.pending, { position, spends: step.pending.spends && !held });
        }),
      cancel: release,
    };
  }

  /**
   * The address and tenant limits (reserving a place in each, released if the send does not happen), and
   * whether the pumping guard must look at the range.
   */
  private limits(target: ScreeningTarget, policy: SmsProtectionPolicy, facts: RefusalFacts, at: number, forUnknown: boolean) {
    const result: { outside?: SendScreening['outside']; ipKey?: string; pending?: PendingSend; pumping?: { prefix: string } } = {};
    if (facts.ipHash) {
      const { max_sends: max, window_minutes: window } = policy.limits.ip;
      const key = `${target.tenantId}\0${facts.ipHash}`;
      const { total, frees } = this.ipCounts.count(key, at, window);
      if (total >= max) return { outside: { reason: 'ip_limit' as const, retryAfterSeconds: seconds(frees - at) } };
      this.ipCounts.add(key, at, 1);
      result.ipKey = key;
    }
    const { max_sends: max, window_minutes: window } = policy.limits.tenant;
    const fromMinute = Math.floor(at / MINUTE) - window + 1;
    const projected = tenantSends(this.deps.readModels.db, target.tenantId, fromMinute);
    const mine = this.unprojected().filter(
      (entry) => entry.tenantId === target.tenantId && entry.spends && entry.at >= fromMinute * MINUTE,
    );
    if (projected.sends + mine.length >= max) {
      const oldest = Math.min(projected.oldestMinute ?? Infinity, ...mine.map((entry) => Math.floor(entry.at / MINUTE)));
      const frees = Number.isFinite(oldest) ? (oldest + window) * MINUTE : at + MINUTE;
      if (result.ipKey) this.ipCounts.add(result.ipKey, at, -1);
      return { outside: { reason: 'tenant_limit' as const, retryAfterSeconds: seconds(frees - at) } };
    }
    // an unknown identifier's code is never sent: it spends no budget and is no traffic to its range
    if (!forUnknown) {
      result.pending = { tenantId: target.tenantId, prefix: target.phone?.prefix, at, spends: true };
      this.pending.push(result.pending);
      if (this.pending.length > MAX_PENDING) this.pending.shift();
    }
    if (target.phone && !target.exempt && policy.pumping_guard.mode !== 'off') result.pumping = { prefix: target.phone.prefix };
    return result;
  }

  /**
   * The pumping guard for one range: quarantined (held back until `until`), or quarantined now because its codes
   * go unverified (`quarantineThreshold`, over the 24 hours since the last release); a quarantine whose time is
   * up is released first.
   */
  private async pumpingVerdict(
    target: ScreeningTarget,
    policy: SmsProtectionPolicy,
    { prefix }: { prefix: string },
    now: Date,
  ): Promise<SendScreening['pumping']> {
    const { mode, silent } = policy.pumping_guard;
    if (mode === 'off') return undefined;
    const at = now.getTime();
    const stream = prefixStreamId(target.tenantId, prefix);
    const verdict = (until: string) => ({ mode, silent, retryAfterSeconds: seconds(Date.parse(until) - at) });
    const look = metered(() => {
      const quarantine = quarantineOf(this.deps.readModels.db, target.tenantId, prefix);
      if (quarantine && !quarantine.releasedAt && Date.parse(quarantine.until) > at) return { held: quarantine.until };
      const expired = quarantine && !quarantine.releasedAt ? quarantine : undefined;
      const since = Math.max(
        at - 24 * HOUR,
        quarantine?.releasedAt ? Date.parse(quarantine.releasedAt) : 0,
        expired ? Date.parse(expired.until) : 0,
      );
      const activity = prefixActivity(this.deps.readModels.db, target.tenantId, prefix, Math.floor(since / HOUR), at);
      // this process's sends to the range that the read model does not show yet (this one included)
      const mine = this.unprojected().filter((entry) => entry.tenantId === target.tenantId && entry.prefix === prefix && entry.at >= since);
      const sent = activity.sent + mine.length;
      const threshold = quarantineThreshold({ ...activity, sent }, policy.pumping_guard);
      const evidence = [...activity.evidence, ...mine.flatMap((entry) => (entry.position === undefined ? [] : [entry.position]))].slice(
        0,
        50,
      );
      return { expired, quarantine: threshold === undefined ? undefined : { sent, verified: activity.verified, threshold, evidence } };
    });
    if ('held' in look) return verdict(look.held!);
    const { eventStore } = this.deps;
    if (look.expired) await handleCommand(eventStore, stream, prefixDecider, { type: 'Release', now }, target.metadata);
    if (!look.quarantine) return undefined;
    const until = new Date(at + QUARANTINE_HOURS * HOUR).toISOString();
    const { sent, verified, threshold, evidence } = look.quarantine;
    const result = await handleCommand(
      eventStore,
      stream,
      prefixDecider,
      {
        type: 'Quarantine',
        now,
        quarantine: {
          tenantId: target.tenantId,
          prefix,
          mode,
          quarantinedAt: now.toISOString(),
          until,
          sent,
          verified,
          threshold: Math.round(threshold * 100) / 100,
          evidencePositions: evidence,
        },
      },
      target.metadata,
    );
    // another send (or process) may have quarantined it first: its `until` stands
    return verdict(result.state.quarantine?.until ?? until);
  }

  /** This process's sends the read models do not show yet (in flight, or after the runner's position). */
  private unprojected(): PendingSend[] {
    const projected = this.deps.projectionRunner.position;
    this.pending = this.pending.filter((entry) => entry.position === undefined || entry.position > projected);
    return this.pending;
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
