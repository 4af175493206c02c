import { sameDigest } from '../crypto/keyedHash.js';
import { DomainError, type Decider } from '../decider/decider.js';
import type { SmsSendRefusedData } from '../protection/smsSendRefused.js';
import type { OtpEvent, OtpIssuedData, SendsPerMinute, UnknownIdentifierCodeData } from './otpEvents.js';
import { LEGACY_ATTEMPT_RULES, type ResendRules } from './otpRules.js';
import { screenSend, trimmed, withSend, type SendScreening } from './sendScreening.js';

/** The latest code of a stream: a real one, or one made for an identifier that matches no user. */
export type LiveCode = (OtpIssuedData | UnknownIdentifierCodeData) & { used: boolean; failures?: number };

export interface OtpState {
  /** The latest code; only it can be used. `failures`: wrong guesses at this code. */
  code?: LiveCode;
  /** Consecutive failures at codes with a lockout, since the last success or lockout. */
  failedAttempts: number;
  /** Epoch ms; the lockout lifts by itself once `now` passes it. */
  lockedUntil?: number;
  /** When the latest code was issued (epoch ms), and the codes issued per minute over the last day: the per-phone limits. */
  lastSendAt?: number;
  sendsPerMinute: SendsPerMinute;
}

export type OtpCommand =
  /**
   * `screening` (absent: no limits) may refuse the send, hold it back or flag it (see `screenSend`); with `resend`,
   * a send while the app's code is live continues its challenge (see `ResendRules`).
   */
  | { type: 'IssueOtp'; now: Date; otp: OtpIssuedData; screening?: SendScreening; resend?: ResendRules }
  /** A code for an identifier that matches no user: issued, screened and counted like a real one, never sent. */
  | { type: 'IssueUnknownIdentifierOtp'; now: Date; otp: UnknownIdentifierCodeData; screening?: SendScreening }
  /** A refusal decided before the stream was read (the destination's country or number type). */
  | { type: 'RefuseSend'; now: Date; refusal: SmsSendRefusedData }
  /** With `challengeId`, only a code of that challenge can match: another live code counts as none. */
  | { type: 'VerifyOtp'; now: Date; codeHash: string; clientId: string; challengeId?: string }
  | { type: 'RevokeOtp'; now: Date; otpId: string; reason: 'delivery_failed' }
  /** The caller ends a live challenge: withdrawn, or confirmed by its own means. Nothing happens when it is not live. */
  | { type: 'CloseChallenge'; now: Date; challengeId: string; reason: 'canceled' | 'approved_by_client' };

type RevokeReason = Extract<OtpEvent, { type: 'OtpRevoked' }>['data']['reason'];

export class LockedOutError extends DomainError {
  constructor(readonly until: Date) {
    super('locked_out', `too many failed attempts; locked until ${until.toISOString()}`, 'limited');
  }
}

/** A resend beyond the challenge's `maxSends`. */
export class TooManySendsError extends DomainError {
  constructor(
    readonly challengeId: string,
    readonly maxSends: number,
  ) {
    super('too_many_sends', `this challenge has sent its ${maxSends} codes; check one, or wait until it expires`, 'limited');
  }
}

/** The id of the challenge a code belongs to: its first code's otpId. */
export const challengeIdOf = (code: OtpIssuedData) => code.challenge?.id ?? code.otpId;

/** The stream's latest code while it can still be used: a real one, not used, not expired. */
export function liveCode(state: OtpState, now: Date): (OtpIssuedData & { used: boolean; failures?: number }) | undefined {
  const code = state.code;
  return code && isRealCode(code) && !code.used && now.getTime() < Date.parse(code.expiresAt) ? code : undefined;
}

/** A real code (not one made for an unknown identifier): only such a code can ever verify. */
export const isRealCode = (code: LiveCode): code is OtpIssuedData & { used: boolean; failures?: number } => !('identifierType' in code);

const isLocked = (state: OtpState, now: Date) => state.lockedUntil !== undefined && state.lockedUntil > now.getTime();

/**
 * A new code is a challenge of its own, or with `resend` the next code of the app's live challenge: answers the
 * challenge it continues (undefined: it starts one), and throws past the challenge's `maxSends`.
 */
function continuedChallenge(command: Extract<OtpCommand, { type: 'IssueOtp' }>, state: OtpState): OtpIssuedData['challenge'] {
  const { now, otp, resend } = command;
  const live = resend && liveCode(state, now);
  const continues = live && live.clientId === otp.clientId && live.userId === otp.userId;
  if (!continues) return undefined;
  const sentBefore = [...(live.challenge?.sentBefore ?? []), live.issuedAt];
  if (sentBefore.length >= resend.maxSends) throw new TooManySendsError(challengeIdOf(live), resend.maxSends);
  return { id: challengeIdOf(live), sentBefore };
}

function close(command: Extract<OtpCommand, { type: 'CloseChallenge' }>, state: OtpState): OtpEvent[] {
  const live = liveCode(state, command.now);
  if (!live || challengeIdOf(live) !== command.challengeId) return [];
  return [{ type: 'OtpRevoked', data: { otpId: live.otpId, reason: command.reason, at: command.now.toISOString() } }];
}

function verify(command: Extract<OtpCommand, { type: 'VerifyOtp' }>, state: OtpState): OtpEvent[] {
  const { now, codeHash, clientId } = command;
  const at = now.toISOString();
  // a check bound to a challenge sees another challenge's code as no code at all
  const elsewhere =
    command.challengeId !== undefined && state.code && (!isRealCode(state.code) || challengeIdOf(state.code) !== command.challengeId);
  const code = elsewhere ? undefined : state.code;
  // a code for an unknown identifier is compared like any other: its hash belongs to a code nobody was sent
  if (
    code &&
    !code.used &&
    now.getTime() < Date.parse(code.expiresAt) &&
    code.clientId === clientId &&
    sameDigest(code.codeHash, codeHash) &&
    isRealCode(code)
  ) {
    return [{ type: 'OtpVerified', data: { otpId: code.otpId, at } }];
  }
  const reason = !code || code.used ? 'no_active_code' : now.getTime() >= Date.parse(code.expiresAt) ? 'expired' : 'mismatch';
  // only a guess at a live code counts towards the lockout: without one no guess can succeed, and
  // counting replays of a used code would let anyone lock a user out right after they log in.
  // A guess counts by the rules of the code it was aimed at, whichever dialect checked it: wrong guesses
  // at a code without a lockout (Auth0's) never prime the next code's lockout count.
  const rules = code?.attempts ?? LEGACY_ATTEMPT_RULES;
  const counts = reason === 'mismatch' && rules.maxFailedAttempts !== null;
  const failedAttempts = state.failedAttempts + (counts ? 1 : 0);
  const events: OtpEvent[] = [{ type: 'OtpFailed', data: { ...(code && { otpId: code.otpId }), reason, failedAttempts, at } }];
  if (reason !== 'mismatch') return events;
  if (rules.maxFailedAttempts !== null && failedAttempts >= rules.maxFailedAttempts) {
    const until = new Date(now.getTime() + rules.lockoutMinutes * 60_000).toISOString();
    events.push({ type: 'UserLockedOut', data: { until, failedAttempts, at } });
  } else if (rules.maxAttemptsPerCode !== undefined && (code!.failures ?? 0) + 1 >= rules.maxAttemptsPerCode) {
    const revoked: RevokeReason = 'too_many_attempts';
    events.push({ type: 'OtpRevoked', data: { otpId: code!.otpId, reason: revoked, at } });
  }
  return events;
}

type IssuedEvent = Extract<OtpEvent, { type: 'OtpIssued' | 'OtpRequestedForUnknownIdentifier' }>;

/** A new code replaces the old one and carries the failure count and the send history, so it resets neither. */
function newCode(state: OtpState, event: IssuedEvent): OtpState {
  const at = Date.parse(event.data.issuedAt);
  // a code is only issued while not locked out, so no lock matters from here on
  return {
    code: { ...event.data, used: false },
    failedAttempts: event.data.failedAttempts ?? state.failedAttempts,
    lastSendAt: at,
    sendsPerMinute: withSend(event.data.sendsBefore ?? state.sendsPerMinute, at),
  };
}

/** A new code, screened first: nothing, a refusal, or the code (with the hold-back or monitor flag). */
function issue(command: Extract<OtpCommand, { type: 'IssueOtp' | 'IssueUnknownIdentifierOtp' }>, state: OtpState): OtpEvent[] {
  const now = command.now.getTime();
  const carried = { failedAttempts: state.failedAttempts, sendsBefore: trimmed(state.sendsPerMinute, now) };
  let issued: IssuedEvent;
  if (command.type === 'IssueOtp') {
    const challenge = continuedChallenge(command, state);
    issued = { type: 'OtpIssued', data: { ...command.otp, ...carried, ...(challenge && { challenge }) } };
  } else {
    issued = { type: 'OtpRequestedForUnknownIdentifier', data: { ...command.otp, ...carried } };
  }
  if (!command.screening) return [issued];
  const screened = screenSend(command.screening, state, now);
  switch (screened.verdict) {
    case 'refuse':
      return [{ type: 'SmsSendRefused', data: screened.refusal }];
    case 'hold':
      return [issued, { type: 'SmsSendRefused', data: screened.refusal }];
    case 'send':
      return screened.monitored ? [issued, { type: 'SmsSendRefused', data: screened.monitored }] : [issued];
    default: {
      const unreachable: never = screened;
      return unreachable;
    }
  }
}

/**
 * The OTP rules: only the latest code works, once, before it expires; the code's own attempt rules count
 * its wrong guesses: `maxFailedAttempts` consecutive ones (carried across codes with a lockout) lock the phone
 * out for `lockoutMinutes`, during which sends are refused and even the right code fails, and the lockout
 * lifts by itself; `maxAttemptsPerCode` burns one code. An identifier that matches no user follows the same
 * rules in its own stream, with codes nobody receives. Codes belong to challenges: a resend may continue the live
 * one (up to its rules' `maxSends`), and the caller may close it.
 */
export const otpDecider: Decider<OtpState, OtpCommand, OtpEvent> = {
  initialState: () => ({ failedAttempts: 0, sendsPerMinute: {} }),

  decide(command, state) {
    if (command.type === 'RevokeOtp') {
      const live = state.code && !state.code.used && state.code.otpId === command.otpId;
      return live ? [{ type: 'OtpRevoked', data: { otpId: command.otpId, reason: command.reason, at: command.now.toISOString() } }] : [];
    }
    if (command.type === 'CloseChallenge') return close(command, state);
    if (command.type === 'RefuseSend') return [{ type: 'SmsSendRefused', data: command.refusal }];
    if (isLocked(state, command.now)) throw new LockedOutError(new Date(state.lockedUntil!));
    switch (command.type) {
      case 'IssueOtp':
      case 'IssueUnknownIdentifierOtp':
        return issue(command, state);
      case 'VerifyOtp':
        return verify(command, state);
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OtpIssued':
      case 'OtpRequestedForUnknownIdentifier':
        return newCode(state, event);
      case 'OtpFailed': {
        const guessedCode = event.data.reason === 'mismatch' && state.code && state.code.otpId === event.data.otpId;
        return {
          ...state,
          failedAttempts: event.data.failedAttempts,
          ...(guessedCode && { code: { ...state.code!, failures: (state.code!.failures ?? 0) + 1 } }),
        };
      }
      case 'OtpVerified':
        return { ...state, code: state.code && { ...state.code, used: true }, failedAttempts: 0 };
      case 'OtpRevoked':
        return { ...state, code: state.code && { ...state.code, used: true } };
      case 'UserLockedOut':
        // the lockout also burns the current code: it never works again, not even after the lock lifts;
        // the send history stays (a lockout is no way around the per-phone limits)
        return {
          failedAttempts: 0,
          lockedUntil: Date.parse(event.data.until),
          sendsPerMinute: state.sendsPerMinute,
          ...(state.lastSendAt !== undefined && { lastSendAt: state.lastSendAt }),
        };
      case 'SmsSendRefused': // a refused send sent nothing: it does not count against the limits
      case 'SmsSent':
      case 'SmsDeliveryFailed':
      case 'SmsWithheld':
        // outcomes of a dispatch: the code's fate is decided by the commands (a failed one is revoked)
        return state;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },

  // a code carries the whole state (itself, carried failures, the send history); the lock does not carry the
  // send history, so folding starts at the newest code
  isSnapshot: (event) => event.type === 'OtpIssued' || event.type === 'OtpRequestedForUnknownIdentifier',
};
