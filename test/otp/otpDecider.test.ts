import { expect } from 'chai';
import { LockedOutError, otpDecider, type OtpCommand } from '../../core/otp/otpDecider.js';
import type { OtpEvent, OtpIssuedData } from '../../core/otp/otpEvents.js';
import { generateCode, hashCode } from '../../core/otp/otpCodes.js';
import { spec } from '../support/givenWhenThen.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const mosaic = { maxFailedAttempts: 3, lockoutMinutes: 15 };
const auth0 = { maxFailedAttempts: null, lockoutMinutes: 0, maxAttemptsPerCode: 3 };
const otp: OtpIssuedData = {
  otpId: 'otp-1',
  codeHash: 'aa'.repeat(32),
  purpose: 'login',
  clientId: 'acme-web',
  userId: 'u1',
  phoneHash: 'ph',
  issuedAt: t0.toISOString(),
  expiresAt: at(300).toISOString(),
  attempts: mosaic,
};
const issued: OtpEvent = { type: 'OtpIssued', data: otp };
const verify = (seconds: number, codeHash = otp.codeHash): OtpCommand => ({
  type: 'VerifyOtp',
  now: at(seconds),
  codeHash,
  clientId: 'acme-web',
});
const failed = (
  seconds: number,
  failedAttempts: number,
  reason: 'mismatch' | 'expired' | 'no_active_code' = 'mismatch',
  otpId: string | null = 'otp-1',
): OtpEvent => ({
  type: 'OtpFailed',
  data: { ...(otpId !== null && { otpId }), reason, failedAttempts, at: at(seconds).toISOString() },
});
const wrong = 'bb'.repeat(32);

describe('otp decider', () => {
  const otpSpec = spec(otpDecider);

  it('issues a code', () => {
    otpSpec
      .given([])
      .when({ type: 'IssueOtp', now: t0, otp })
      .then([{ type: 'OtpIssued', data: { ...otp, failedAttempts: 0, sendsBefore: {} } }]);
  });

  it('verifies the right code before it expires', () => {
    otpSpec
      .given([issued])
      .when(verify(10))
      .then([{ type: 'OtpVerified', data: { otpId: 'otp-1', at: at(10).toISOString() } }]);
  });

  it('refuses a wrong code and counts the failure', () => {
    otpSpec
      .given([issued])
      .when(verify(10, wrong))
      .then([failed(10, 1)]);
  });

  it('refuses the right code presented by another application', () => {
    otpSpec
      .given([issued])
      .when({ ...verify(10), clientId: 'other-app' } as OtpCommand)
      .then([failed(10, 1)]);
  });

  it('refuses an expired code', () => {
    otpSpec
      .given([issued])
      .when(verify(300))
      .then([failed(300, 0, 'expired')]);
  });

  it('lets a code work once', () => {
    otpSpec
      .given([issued, { type: 'OtpVerified', data: { otpId: 'otp-1', at: at(1).toISOString() } }])
      .when(verify(2))
      .then([failed(2, 0, 'no_active_code')]);
  });

  it('refuses when no code was ever issued', () => {
    otpSpec
      .given([])
      .when(verify(2))
      .then([failed(2, 0, 'no_active_code', null)]);
  });

  it('only honours the latest code', () => {
    const newer: OtpEvent = { type: 'OtpIssued', data: { ...otp, otpId: 'otp-2', codeHash: 'cc'.repeat(32) } };
    otpSpec
      .given([issued, newer])
      .when(verify(5))
      .then([failed(5, 1, 'mismatch', 'otp-2')]);
  });

  it('does not count replays of a used code or expired codes towards the lockout', () => {
    const used: OtpEvent = { type: 'OtpVerified', data: { otpId: 'otp-1', at: at(1).toISOString() } };
    otpSpec
      .given([issued, used, failed(2, 0, 'no_active_code'), failed(3, 0, 'no_active_code')])
      .when(verify(4))
      .then([failed(4, 0, 'no_active_code')]);
  });

  it('locks out on the max-th consecutive failure', () => {
    otpSpec
      .given([issued, failed(1, 1), failed(2, 2)])
      .when(verify(3, wrong))
      .then([
        failed(3, 3),
        { type: 'UserLockedOut', data: { until: at(3 + 15 * 60).toISOString(), failedAttempts: 3, at: at(3).toISOString() } },
      ]);
  });

  it('refuses even the right code and new sends while locked out', () => {
    const locked: OtpEvent = { type: 'UserLockedOut', data: { until: at(900).toISOString(), failedAttempts: 3, at: t0.toISOString() } };
    otpSpec.given([issued, locked]).when(verify(10)).then(LockedOutError);
    otpSpec
      .given([issued, locked])
      .when({ type: 'IssueOtp', now: at(899), otp })
      .then(LockedOutError);
  });

  it('lifts the lockout by itself when the time is up, and the old code stays dead', () => {
    const locked: OtpEvent = { type: 'UserLockedOut', data: { until: at(900).toISOString(), failedAttempts: 3, at: t0.toISOString() } };
    otpSpec
      .given([issued, locked])
      .when(verify(900))
      .then([failed(900, 0, 'no_active_code', null)]);
    otpSpec
      .given([issued, locked])
      .when({ type: 'IssueOtp', now: at(900), otp })
      .then([{ type: 'OtpIssued', data: { ...otp, failedAttempts: 0, sendsBefore: { '2026-11-22T10:00': 1 } } }]);
  });

  it('revokes a live code whose SMS failed, and nothing else', () => {
    const revoke: OtpCommand = { type: 'RevokeOtp', now: at(1), otpId: 'otp-1', reason: 'delivery_failed' };
    const revoked: OtpEvent = { type: 'OtpRevoked', data: { otpId: 'otp-1', reason: 'delivery_failed', at: at(1).toISOString() } };
    otpSpec.given([issued]).when(revoke).then([revoked]);
    otpSpec
      .given([issued, revoked])
      .when(verify(2))
      .then([failed(2, 0, 'no_active_code')]);
    otpSpec
      .given([issued, { type: 'OtpIssued', data: { ...otp, otpId: 'otp-2' } }])
      .when(revoke)
      .then([]);
  });

  it('carries failures into a new code, so a fresh code does not reset the count', () => {
    otpSpec
      .given([issued, failed(1, 1), failed(2, 2)])
      .when({ type: 'IssueOtp', now: at(3), otp: { ...otp, otpId: 'otp-2' } })
      .then([{ type: 'OtpIssued', data: { ...otp, otpId: 'otp-2', failedAttempts: 2, sendsBefore: { '2026-11-22T10:00': 1 } } }]);
  });

  it('folds from the newest snapshot to the same state as from the beginning', () => {
    // as the decider records it: the second code carries the failure and the first send
    const second: OtpEvent = {
      type: 'OtpIssued',
      data: { ...otp, otpId: 'otp-2', failedAttempts: 1, sendsBefore: { '2026-11-22T10:00': 1 } },
    };
    const history: OtpEvent[] = [issued, failed(1, 1), second, failed(2, 2)];
    const full = history.reduce(otpDecider.evolve, otpDecider.initialState());
    const fromSnapshot = history.slice(2).reduce(otpDecider.evolve, otpDecider.initialState());
    expect(fromSnapshot).to.deep.equal(full);
    expect(history.filter((e) => otpDecider.isSnapshot!(e)).map((e) => e.type)).to.deep.equal(['OtpIssued', 'OtpIssued']);
  });

  it('burns a code after maxAttemptsPerCode wrong guesses when its rules have no lockout (Auth0 rules)', () => {
    const auth0Issued: OtpEvent = { type: 'OtpIssued', data: { ...otp, attempts: auth0 } };
    // wrong guesses at a code without a lockout do not add to the carried count (it stays 0)
    otpSpec
      .given([auth0Issued, failed(1, 0), failed(2, 0)])
      .when(verify(3, wrong))
      .then([failed(3, 0), { type: 'OtpRevoked', data: { otpId: 'otp-1', reason: 'too_many_attempts', at: at(3).toISOString() } }]);
    otpSpec
      .given([auth0Issued, failed(1, 0), failed(2, 0)])
      .when(verify(3))
      .then([{ type: 'OtpVerified', data: { otpId: 'otp-1', at: at(3).toISOString() } }]);
    // failures at an earlier code do not burn a new one; no lockout ever
    const newer: OtpEvent = { type: 'OtpIssued', data: { ...otp, otpId: 'otp-2', attempts: auth0, failedAttempts: 0 } };
    otpSpec
      .given([auth0Issued, failed(1, 0), failed(2, 0), newer])
      .when(verify(3, wrong))
      .then([failed(3, 0, 'mismatch', 'otp-2')]);
  });

  it('counts a guess by the rules of the code it was aimed at: Auth0 guesses never prime the next Mosaic code', () => {
    const auth0Issued: OtpEvent = { type: 'OtpIssued', data: { ...otp, attempts: auth0 } };
    const burnt: OtpEvent = { type: 'OtpRevoked', data: { otpId: 'otp-1', reason: 'too_many_attempts', at: at(3).toISOString() } };
    const afterAuth0 = [auth0Issued, failed(1, 0), failed(2, 0), failed(3, 0), burnt];
    otpSpec
      .given(afterAuth0)
      .when({ type: 'IssueOtp', now: at(4), otp: { ...otp, otpId: 'otp-2' } })
      .then([{ type: 'OtpIssued', data: { ...otp, otpId: 'otp-2', failedAttempts: 0, sendsBefore: { '2026-11-22T10:00': 1 } } }]);
    const mosaicCode: OtpEvent = { type: 'OtpIssued', data: { ...otp, otpId: 'otp-2', failedAttempts: 0 } };
    // the user's first typo at the Mosaic code is the first of its three, not the fourth
    otpSpec
      .given([...afterAuth0, mosaicCode])
      .when(verify(5, wrong))
      .then([failed(5, 1, 'mismatch', 'otp-2')]);
    // and Mosaic failures still carry across Mosaic codes, even with an Auth0 code in between
    const mosaicFailures = [issued, failed(1, 1), failed(2, 2)];
    const auth0Between: OtpEvent = { type: 'OtpIssued', data: { ...otp, otpId: 'otp-2', attempts: auth0, failedAttempts: 2 } };
    otpSpec
      .given([...mosaicFailures, auth0Between])
      .when({ type: 'IssueOtp', now: at(4), otp: { ...otp, otpId: 'otp-3' } })
      .then([{ type: 'OtpIssued', data: { ...otp, otpId: 'otp-3', failedAttempts: 2, sendsBefore: { '2026-11-22T10:00': 2 } } }]);
  });

  it('checks a code recorded before codes carried their rules by the legacy rules (3 tries, 15 minutes)', () => {
    const { attempts: _attempts, ...legacy } = otp;
    otpSpec
      .given([{ type: 'OtpIssued', data: legacy }, failed(1, 1), failed(2, 2)])
      .when(verify(3, wrong))
      .then([
        failed(3, 3),
        { type: 'UserLockedOut', data: { until: at(3 + 15 * 60).toISOString(), failedAttempts: 3, at: at(3).toISOString() } },
      ]);
  });

  it('resets the failure count after a success', () => {
    const state = [
      issued,
      failed(1, 1),
      failed(2, 2),
      { type: 'OtpVerified', data: { otpId: 'otp-1', at: at(3).toISOString() } } as OtpEvent,
    ].reduce(otpDecider.evolve, otpDecider.initialState());
    expect(state.failedAttempts).to.equal(0);
  });
});

describe('otp codes', () => {
  it('generates codes of the asked length from the whole digit space', () => {
    const codes = Array.from({ length: 2000 }, () => generateCode(4));
    for (const code of codes) expect(code).to.match(/^\d{4}$/);
    expect(new Set(codes).size).to.be.greaterThan(1500);
    expect(generateCode(10)).to.match(/^\d{10}$/);
  });

  it('hashes codes with a key, bound to the stream', () => {
    const key = Buffer.alloc(32, 1);
    expect(hashCode(key, 's1', '123456')).to.equal(hashCode(key, 's1', '123456'));
    expect(hashCode(key, 's1', '123456')).not.to.equal(hashCode(key, 's2', '123456'));
    expect(hashCode(key, 's1', '123456')).not.to.equal(hashCode(Buffer.alloc(32, 2), 's1', '123456'));
    expect(hashCode(key, 's1', '123456')).not.to.contain('123456');
  });
});
