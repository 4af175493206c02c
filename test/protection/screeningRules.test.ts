import { expect } from 'chai';
import { MinuteCounters } from '../../core/protection/minuteCounters.js';
import { prefixDecider, type PrefixEvent, type PrefixQuarantinedData } from '../../core/protection/prefixEvents.js';
import { quarantineThreshold } from '../../core/protection/pumpingRule.js';
import { SmsScreening } from '../../core/protection/smsScreening.js';
import { DEFAULT_SMS_PROTECTION, parseSmsProtectionPolicy } from '../../core/protection/smsProtectionPolicy.js';
import { parsePhoneNumber } from '../../core/users/phoneNumber.js';
import { spec } from '../support/givenWhenThen.js';

const t0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const HOUR = 3600;

/** The screening rules outside the phone's stream, each pure or a decider: the clock is in the command. */
describe('SMS protection rules (given/when/then, clock injected)', () => {
  describe('the pumping guard rule: quarantined past max(floor, ratio x busiest verified day), unless healthy', () => {
    const guard = DEFAULT_SMS_PROTECTION.pumping_guard; // floor 30, ratio 0.5

    it('a range with no history trips once more than `floor` codes go unverified', () => {
      expect(quarantineThreshold({ sent: 30, verified: 0, busiestVerifiedDay: 0 }, guard)).to.equal(undefined);
      expect(quarantineThreshold({ sent: 31, verified: 0, busiestVerifiedDay: 0 }, guard)).to.equal(30);
    });

    it('a range with verified history gets ratio x its busiest day when that is more than the floor', () => {
      expect(quarantineThreshold({ sent: 150, verified: 10, busiestVerifiedDay: 300 }, guard)).to.equal(undefined);
      expect(quarantineThreshold({ sent: 161, verified: 10, busiestVerifiedDay: 300 }, guard)).to.equal(150);
      expect(quarantineThreshold({ sent: 31, verified: 0, busiestVerifiedDay: 40 }, guard)).to.equal(30);
    });

    it('a range whose codes are verified at 50% or more is never held back, however busy', () => {
      expect(quarantineThreshold({ sent: 10_000, verified: 5_000, busiestVerifiedDay: 0 }, guard)).to.equal(undefined);
      expect(quarantineThreshold({ sent: 10_000, verified: 4_999, busiestVerifiedDay: 0 }, guard)).to.equal(30);
    });
  });

  describe('the range decider: one quarantine at a time, lifted only once its time is up', () => {
    const { given } = spec(prefixDecider);
    const quarantine = (seconds: number): PrefixQuarantinedData => ({
      tenantId: 'acme',
      prefix: '+1512555',
      mode: 'enforce',
      quarantinedAt: at(seconds).toISOString(),
      until: at(seconds + 12 * HOUR).toISOString(),
      sent: 31,
      verified: 0,
      threshold: 30,
      evidencePositions: [4, 7, 9],
    });
    const quarantined = (seconds: number): PrefixEvent => ({ type: 'PrefixQuarantined', data: quarantine(seconds) });

    it('quarantines a range that is not quarantined', () => {
      given([])
        .when({ type: 'Quarantine', now: at(0), quarantine: quarantine(0) })
        .then([quarantined(0)]);
    });

    it('a second quarantine while one is active changes nothing (two processes racing record one)', () => {
      given([quarantined(0)])
        .when({ type: 'Quarantine', now: at(60), quarantine: quarantine(60) })
        .then([]);
    });

    it('releases only after `until`; then a new quarantine may start', () => {
      given([quarantined(0)])
        .when({ type: 'Release', now: at(12 * HOUR - 1) })
        .then([]);
      const released: PrefixEvent = {
        type: 'PrefixReleased',
        data: {
          tenantId: 'acme',
          prefix: '+1512555',
          quarantinedAt: at(0).toISOString(),
          until: at(12 * HOUR).toISOString(),
          at: at(12 * HOUR).toISOString(),
        },
      };
      given([quarantined(0)])
        .when({ type: 'Release', now: at(12 * HOUR) })
        .then([released]);
      given([quarantined(0), released])
        .when({ type: 'Release', now: at(13 * HOUR) })
        .then([]);
      given([quarantined(0), released])
        .when({ type: 'Quarantine', now: at(13 * HOUR), quarantine: quarantine(13 * HOUR) })
        .then([quarantined(13 * HOUR)]);
      // a quarantine whose time is up may be renewed even before its release was recorded
      given([quarantined(0)])
        .when({ type: 'Quarantine', now: at(12 * HOUR), quarantine: quarantine(12 * HOUR) })
        .then([quarantined(12 * HOUR)]);
    });
  });

  describe('the destination rules: countries and number types, before any lookup', () => {
    // destinationRefusal reads nothing but the policy and the number
    const screening = new SmsScreening({} as ConstructorParameters<typeof SmsScreening>[0]);
    const facts = { clientId: 'acme-web', phoneHash: 'ph' };
    const refusal = (policy: unknown, e164: string) =>
      screening.destinationRefusal(parseSmsProtectionPolicy(policy), parsePhoneNumber(e164), facts, at(0))?.reason;

    it('an empty allow list allows every country; a list allows only its countries; deny refuses its countries', () => {
      expect(refusal({}, '+442079460123')).to.equal(undefined);
      expect(refusal({ countries: { allow: ['US', 'CA'] } }, '+442079460123')).to.equal('country');
      expect(refusal({ countries: { allow: ['US', 'CA'] } }, '+15125550101')).to.equal(undefined);
      expect(refusal({ countries: { deny: ['GB'] } }, '+442079460123')).to.equal('country');
      expect(refusal({ countries: { deny: ['GB'] } }, '+15125550101')).to.equal(undefined);
    });

    it('premium-rate and shared-cost numbers are refused by default; a policy may deny other types or none', () => {
      expect(refusal({}, '+19002345678')).to.equal('number_type');
      expect(refusal({ number_types: { deny: [] } }, '+19002345678')).to.equal(undefined);
      expect(refusal({ number_types: { deny: ['TOLL_FREE'] } }, '+18002345678')).to.equal('number_type');
    });

    it('the refusal records the facts, the time and the rule, never the number', () => {
      const refused = screening.destinationRefusal(
        parseSmsProtectionPolicy({ countries: { deny: ['GB'] } }),
        parsePhoneNumber('+442079460123'),
        facts,
        at(5),
      );
      expect(refused).to.deep.equal({ ...facts, reason: 'country', mode: 'enforce', at: at(5).toISOString() });
    });
  });

  describe('per-address counters: a sliding window of whole minutes', () => {
    it('counts the current minute and the window - 1 before it, and says when the oldest leaves', () => {
      const counters = new MinuteCounters();
      counters.add('a', t0, 1);
      counters.add('a', t0 + 61_000, 2);
      expect(counters.count('a', t0 + 61_000, 60)).to.deep.equal({ total: 3, frees: t0 + 60 * 60_000 });
      // an hour after the first minute began, it has left the window
      expect(counters.count('a', t0 + 60 * 60_000, 60)).to.deep.equal({ total: 2, frees: t0 + 61 * 60_000 });
      expect(counters.count('b', t0, 60)).to.deep.equal({ total: 0, frees: t0 });
      // a reservation released (the send did not happen) counts no more
      counters.add('c', t0, 3);
      counters.add('c', t0, -1);
      expect(counters.count('c', t0, 60).total).to.equal(2);
    });

    it('forgets the oldest keys beyond its capacity', () => {
      const counters = new MinuteCounters(2);
      for (const key of ['a', 'b', 'c']) counters.add(key, t0, 1);
      expect(['a', 'b', 'c'].map((key) => counters.count(key, t0, 60).total)).to.deep.equal([0, 1, 1]);
    });
  });
});
