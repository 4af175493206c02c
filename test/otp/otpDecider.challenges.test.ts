import { LockedOutError, otpDecider, TooManySendsError, type OtpCommand } from '../../core/otp/otpDecider.js';
import type { OtpEvent, OtpIssuedData } from '../../core/otp/otpEvents.js';
import { spec } from '../support/givenWhenThen.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const attempts = { maxFailedAttempts: 5, lockoutMinutes: 10 };
const resend = { maxSends: 3 };
const code = (otpId: string, seconds: number, extra: Partial<OtpIssuedData> = {}): OtpIssuedData => ({
  otpId,
  codeHash: `${otpId}`.padEnd(64, '0'),
  purpose: 'verify',
  clientId: 'VA1',
  phoneHash: 'ph',
  issuedAt: iso(seconds),
  expiresAt: iso(seconds + 600),
  attempts,
  ...extra,
});
const issue = (otpId: string, seconds: number, extra: Partial<OtpIssuedData> = {}): OtpCommand => ({
  type: 'IssueOtp',
  now: at(seconds),
  otp: code(otpId, seconds, extra),
  resend,
});
const issued = (otpId: string, seconds: number, extra: Partial<OtpIssuedData> = {}): OtpEvent => ({
  type: 'OtpIssued',
  data: { ...code(otpId, seconds, extra), failedAttempts: 0 },
});
/** The decider also records the stream's earlier sends per minute (for the per-phone limits). */
const after = (earlier: number) => ({ sendsBefore: { '2026-11-22T10:00': earlier } });

describe('otp decider: challenges (resends, caps, closing)', () => {
  const otpSpec = spec(otpDecider);

  it('a send without resend rules starts a challenge of its own, even while a code is live', () => {
    otpSpec
      .given([issued('c1', 0)])
      .when({ ...issue('c2', 10), resend: undefined } as OtpCommand)
      .then([issued('c2', 10, after(1))]);
  });

  it("a resend while the same app's code is live continues its challenge: a new code under the challenge's id", () => {
    otpSpec
      .given([issued('c1', 0)])
      .when(issue('c2', 10))
      .then([issued('c2', 10, { challenge: { id: 'c1', sentBefore: [iso(0)] }, ...after(1) })]);
    const second = issued('c2', 10, { challenge: { id: 'c1', sentBefore: [iso(0)] } });
    otpSpec
      .given([issued('c1', 0), second])
      .when(issue('c3', 20))
      .then([issued('c3', 20, { challenge: { id: 'c1', sentBefore: [iso(0), iso(10)] }, ...after(2) })]);
  });

  it('refuses a send beyond maxSends with TooManySendsError', () => {
    const history = [
      issued('c1', 0),
      issued('c2', 10, { challenge: { id: 'c1', sentBefore: [iso(0)] } }),
      issued('c3', 20, { challenge: { id: 'c1', sentBefore: [iso(0), iso(10)] } }),
    ];
    otpSpec.given(history).when(issue('c4', 30)).then(TooManySendsError);
  });

  it('starts a new challenge once the live code expired, was used, or belongs to another app', () => {
    otpSpec
      .given([issued('c1', 0)])
      .when(issue('c2', 600))
      .then([issued('c2', 600, after(1))]);
    otpSpec
      .given([issued('c1', 0), { type: 'OtpVerified', data: { otpId: 'c1', at: iso(5) } }])
      .when(issue('c2', 10))
      .then([issued('c2', 10, after(1))]);
    otpSpec
      .given([issued('c1', 0, { clientId: 'VA2' })])
      .when(issue('c2', 10))
      .then([issued('c2', 10, after(1))]);
  });

  it('a lockout refuses resends too', () => {
    otpSpec
      .given([issued('c1', 0), { type: 'UserLockedOut', data: { until: iso(600), failedAttempts: 5, at: iso(5) } }])
      .when(issue('c2', 10))
      .then(LockedOutError);
  });

  it('the caller closes a live challenge (canceled, approved_by_client); a closed or unknown one is left alone', () => {
    const resent = issued('c2', 10, { challenge: { id: 'c1', sentBefore: [iso(0)] } });
    otpSpec
      .given([issued('c1', 0), resent])
      .when({ type: 'CloseChallenge', now: at(20), challengeId: 'c1', reason: 'canceled' })
      .then([{ type: 'OtpRevoked', data: { otpId: 'c2', reason: 'canceled', at: iso(20) } }]);
    otpSpec
      .given([issued('c1', 0)])
      .when({ type: 'CloseChallenge', now: at(20), challengeId: 'c1', reason: 'approved_by_client' })
      .then([{ type: 'OtpRevoked', data: { otpId: 'c1', reason: 'approved_by_client', at: iso(20) } }]);
    otpSpec
      .given([issued('c1', 0)])
      .when({ type: 'CloseChallenge', now: at(20), challengeId: 'other', reason: 'canceled' })
      .then([]);
    otpSpec
      .given([issued('c1', 0), { type: 'OtpRevoked', data: { otpId: 'c1', reason: 'canceled', at: iso(5) } }])
      .when({ type: 'CloseChallenge', now: at(20), challengeId: 'c1', reason: 'canceled' })
      .then([]);
  });

  it("a check bound to a challenge sees another challenge's code as none: no failure counted", () => {
    const check = (challengeId: string, codeHash: string): OtpCommand => ({
      type: 'VerifyOtp',
      now: at(30),
      codeHash,
      clientId: 'VA1',
      challengeId,
    });
    otpSpec
      .given([issued('c1', 0)])
      .when(check('old', 'c1'.padEnd(64, '0')))
      .then([{ type: 'OtpFailed', data: { reason: 'no_active_code', failedAttempts: 0, at: iso(30) } }]);
    const resent = issued('c2', 10, { challenge: { id: 'c1', sentBefore: [iso(0)] } });
    otpSpec
      .given([issued('c1', 0), resent])
      .when(check('c1', 'c2'.padEnd(64, '0')))
      .then([{ type: 'OtpVerified', data: { otpId: 'c2', at: iso(30) } }]);
  });
});
