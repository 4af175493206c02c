import type { SmsProtectionPolicy } from './smsProtectionPolicy.js';

/** A range whose codes are verified at least this often is healthy: never held back. */
const HEALTHY_CONVERSION = 0.5;

export interface RangeActivity {
  /** Codes sent to the range and verified, over the 24 hours before (since its last release). */
  sent: number;
  verified: number;
  /** The most codes verified in one UTC day of the 14 days before. */
  busiestVerifiedDay: number;
}

/**
 * The pumping guard's rule: a range is quarantined when more of its codes go unverified than
 * `max(floor, ratio x its busiest verified day)`, unless at least half of them are verified. Answers the
 * threshold when it trips, undefined otherwise.
 */
export function quarantineThreshold(
  { sent, verified, busiestVerifiedDay }: RangeActivity,
  { floor, ratio }: SmsProtectionPolicy['pumping_guard'],
): number | undefined {
  const threshold = Math.max(floor, ratio * busiestVerifiedDay);
  const healthy = sent > 0 && verified / sent >= HEALTHY_CONVERSION;
  return !healthy && sent - verified > threshold ? threshold : undefined;
}
