import { otpDecider, type OtpCommand } from '../../core/otp/otpDecider.js';
import type { OtpEvent, OtpIssuedData, UnknownIdentifierCodeData } from '../../core/otp/otpEvents.js';
import type { SendScreening } from '../../core/otp/sendScreening.js';
import type { SmsSendRefusedData } from '../../core/protection/smsSendRefused.js';
import { spec } from '../support/givenWhenThen.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const facts = {
  clientId: 'acme-web',
  phoneHash: 'ph',
  countryCallingCode: '1',
  country: 'US',
  numberType: 'FIXED_LINE_OR_MOBILE',
  prefix: '+1512555',
};
const screening: SendScreening = { phone: { cooldown_seconds: 30, max_sends: 3, window_minutes: 60 }, facts };
const otp = (seconds: number, otpId = `otp-${seconds}`): OtpIssuedData => ({
  otpId,
  codeHash: 'aa'.repeat(32),
  purpose: 'login',
  clientId: 'acme-web',
  phoneHash: 'ph',
  countryCallingCode: '1',
  issuedAt: at(seconds).toISOString(),
  expiresAt: at(seconds + 300).toISOString(),
  attempts: { maxFailedAttempts: 3, lockoutMinutes: 15 },
});
const issue = (seconds: number, with_: Partial<SendScreening> = {}): OtpCommand => ({
  type: 'IssueOtp',
  now: at(seconds),
  otp: otp(seconds),
  screening: { ...screening, ...with_ },
});
/** What the decider records for a send at `seconds` (the minutes of the sends before it). */
const issued = (seconds: number, sendsBefore: Record<string, number> = {}, failedAttempts = 0): OtpEvent => ({
  type: 'OtpIssued',
  data: { ...otp(seconds), failedAttempts, sendsBefore },
});
const refused = (seconds: number, data: Partial<SmsSendRefusedData>): OtpEvent => ({
  type: 'SmsSendRefused',
  data: { ...facts, mode: 'enforce', at: at(seconds).toISOString(), ...data } as SmsSendRefusedData,
});

describe('send screening in the phone stream (otp decider, clock in the command)', () => {
  const given = spec(otpDecider).given;
  const m = (minute: number) => `2026-11-22T10:${String(minute).padStart(2, '0')}`;

  it('refuses a resend within the cooldown, saying how long to wait, and lets it through once the cooldown is over', () => {
    given([issued(0)])
      .when(issue(10))
      .then([refused(10, { reason: 'cooldown', retryAfterSeconds: 20 })]);
    given([issued(0)])
      .when(issue(29.2))
      .then([refused(29.2, { reason: 'cooldown', retryAfterSeconds: 1 })]);
    given([issued(0)])
      .when(issue(30))
      .then([issued(30, { [m(0)]: 1 })]);
  });

  it('caps the sends to one phone in its window; the refusal says when the oldest leaves it', () => {
    const three = [issued(0), issued(60, { [m(0)]: 1 }), issued(120, { [m(0)]: 1, [m(1)]: 1 })];
    given(three)
      .when(issue(180))
      .then([refused(180, { reason: 'phone_limit', retryAfterSeconds: 3600 - 180 })]);
    // an hour after the first send, it has left the window
    given(three)
      .when(issue(3600))
      .then([issued(3600, { [m(0)]: 1, [m(1)]: 1, [m(2)]: 1 })]);
  });

  it('does not count refused sends, and keeps counting through a lockout', () => {
    given([issued(0), refused(5, { reason: 'cooldown' }), refused(6, { reason: 'ip_limit' })])
      .when(issue(40))
      .then([issued(40, { [m(0)]: 1 })]);
    const lockedOut: OtpEvent = {
      type: 'UserLockedOut',
      data: { until: at(200).toISOString(), failedAttempts: 3, at: at(100).toISOString() },
    };
    const three = [issued(0), issued(40, { [m(0)]: 1 }), issued(80, { [m(0)]: 2 }), lockedOut];
    given(three)
      .when(issue(300))
      .then([refused(300, { reason: 'phone_limit', retryAfterSeconds: 3600 - 300 })]);
  });

  it('records the address and tenant verdicts taken outside the stream, after the phone rules', () => {
    given([])
      .when(issue(0, { outside: { reason: 'ip_limit', retryAfterSeconds: 42 } }))
      .then([refused(0, { reason: 'ip_limit', retryAfterSeconds: 42 })]);
    given([])
      .when(issue(0, { outside: { reason: 'tenant_limit', retryAfterSeconds: 7 } }))
      .then([refused(0, { reason: 'tenant_limit', retryAfterSeconds: 7 })]);
    given([issued(0)])
      .when(issue(1, { outside: { reason: 'ip_limit', retryAfterSeconds: 42 } }))
      .then([refused(1, { reason: 'cooldown', retryAfterSeconds: 29 })]);
  });

  it('pumping guard: a silent hold issues the code and flags it; a loud one refuses; monitor only flags', () => {
    const pumping = { retryAfterSeconds: 43_200 };
    given([])
      .when(issue(0, { pumping: { ...pumping, mode: 'enforce', silent: true } }))
      .then([issued(0), refused(0, { reason: 'pumping_guard', retryAfterSeconds: 43_200, silent: true })]);
    given([])
      .when(issue(0, { pumping: { ...pumping, mode: 'enforce', silent: false } }))
      .then([refused(0, { reason: 'pumping_guard', retryAfterSeconds: 43_200, silent: false })]);
    given([])
      .when(issue(0, { pumping: { ...pumping, mode: 'monitor', silent: true } }))
      .then([issued(0), refused(0, { reason: 'pumping_guard', retryAfterSeconds: 43_200, mode: 'monitor' })]);
  });

  it('holds back silently a destination refused for a user found by another identifier (the answer must not tell)', () => {
    const destination = refused(0, { reason: 'country' }).data as SmsSendRefusedData;
    given([])
      .when(issue(0, { destination }))
      .then([issued(0), refused(0, { reason: 'country', silent: true })]);
  });

  it('screens an unknown identifier exactly like a known one: the same cooldown in its own stream', () => {
    const unknown = (seconds: number): UnknownIdentifierCodeData => ({
      otpId: `u-${seconds}`,
      codeHash: 'bb'.repeat(32),
      purpose: 'login',
      clientId: 'acme-web',
      identifierType: 'email',
      identifierHash: 'ih',
      issuedAt: at(seconds).toISOString(),
      expiresAt: at(seconds + 300).toISOString(),
      attempts: { maxFailedAttempts: 3, lockoutMinutes: 15 },
    });
    const first: OtpEvent = { type: 'OtpRequestedForUnknownIdentifier', data: { ...unknown(0), failedAttempts: 0, sendsBefore: {} } };
    given([first])
      .when({ type: 'IssueUnknownIdentifierOtp', now: at(10), otp: unknown(10), screening })
      .then([refused(10, { reason: 'cooldown', retryAfterSeconds: 20 })]);
  });
});
