import type { EventMetadata } from '../eventStore/types.js';
import type { Challenge, OtpApp, OtpService } from '../otp/otpService.js';
import type { RequestContext } from '../otp/requestContext.js';
import { parsePhoneNumber, type PhoneNumber } from '../users/phoneNumber.js';
import { VerificationSids } from './verificationSids.js';
import type { VerifyService } from './verifyServiceDecider.js';
import { verifyRules, type VerifyTextOptions } from './verifyRules.js';

export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'max_attempts_reached';

/** A verification as the dialect answers it: its sid, number, status and the challenge behind it. */
export interface Verification {
  sid: string;
  service: VerifyService;
  to: string;
  status: VerificationStatus;
  challenge: Challenge;
}

/** Which verification a check is for: the pending one of a number, or one named by its sid. */
export type CheckTarget = { to: PhoneNumber; sid?: string } | { sid: string };

interface Request {
  request: RequestContext;
  metadata: Partial<EventMetadata>;
}

/** Verify has no users: its codes are the OTP domain's, for the purpose `verify`, issued for the Service. */
const PURPOSE = 'verify';
/** Binds a check to no challenge at all when none is live: another code can never match it by a race. */
const NO_LIVE_CHALLENGE = '';

const appOf = (service: VerifyService): OtpApp => ({ tenantId: service.tenantId, clientId: service.sid });

/**
 * Twilio Verify's verifications over the OTP domain. A verification is a challenge of the number's `verify`
 * stream, issued for the Service (its sid is the code's application): creating one while it is pending resends
 * (a new code, Twilio's 5 sends), checks count towards the lockout (Twilio's 5 checks), and approval, cancelling
 * and expiry end it. Its sid carries the number (see `VerificationSids`), so nothing about it is stored outside
 * the OTP stream.
 */
export class Verifications {
  private readonly otpService: OtpService;
  private readonly sids: VerificationSids;

  constructor(deps: { otpService: OtpService; secrets: { hmacKey: Buffer } }) {
    this.otpService = deps.otpService;
    this.sids = new VerificationSids(deps.secrets.hmacKey);
  }

  /** Sends a code: a new verification, or the next code of the pending one. */
  async start(service: VerifyService, to: PhoneNumber, text: VerifyTextOptions, { request, metadata }: Request): Promise<Verification> {
    const { challenge } = await this.otpService.send({
      app: appOf(service),
      purpose: PURPOSE,
      phone: to,
      rules: verifyRules(service, text),
      request,
      metadata,
    });
    return this.view(service, to, challenge, 'pending');
  }

  /** The pending verification `sid`; undefined once it was approved, canceled, expired or locked out. */
  async pending(service: VerifyService, sid: string): Promise<Verification | undefined> {
    const found = await this.find(service, { sid });
    return found?.challenge && this.view(service, found.to, found.challenge, 'pending');
  }

  /** Twilio's update: `canceled` or `approved` ends the pending verification; undefined when none is pending. */
  async close(
    service: VerifyService,
    sid: string,
    status: 'canceled' | 'approved',
    metadata: Partial<EventMetadata>,
  ): Promise<Verification | undefined> {
    const found = await this.find(service, { sid });
    if (!found?.challenge) return undefined;
    const reason = status === 'canceled' ? 'canceled' : 'approved_by_client';
    const closed = await this.otpService.closeChallenge({
      app: appOf(service),
      purpose: PURPOSE,
      phone: found.to,
      challengeId: found.challenge.id,
      reason,
      metadata,
    });
    return closed ? this.view(service, found.to, found.challenge, status) : undefined;
  }

  /**
   * A code for the target's pending verification: `approved`, or `pending` (`max_attempts_reached` at the last
   * check it allows); undefined when no verification is pending. Throws `LockedOutError` once checks ran out.
   */
  async check(
    service: VerifyService,
    target: CheckTarget,
    code: string,
    { request, metadata }: Request,
  ): Promise<Verification | undefined> {
    const found = await this.find(service, target);
    if (!found) return undefined;
    const { to, challenge } = found;
    // always checked, a live challenge or not: the stream answers a lockout (429) and records every check
    const result = await this.otpService.verify({
      app: appOf(service),
      purpose: PURPOSE,
      phone: to,
      passcode: code,
      challengeId: challenge?.id ?? NO_LIVE_CHALLENGE,
      request,
      metadata,
    });
    if (!challenge) return undefined;
    if (result.ok) return this.view(service, to, challenge, 'approved');
    if (result.reason !== 'mismatch') return undefined;
    return this.view(service, to, challenge, result.lockedOut ? 'max_attempts_reached' : 'pending');
  }

  /**
   * The number a target names and its live challenge for the Service (none when nothing is pending). Undefined
   * when the sid is none of ours, or names another verification than the one pending (that one is gone).
   */
  private async find(service: VerifyService, target: CheckTarget): Promise<{ to: PhoneNumber; challenge?: Challenge } | undefined> {
    const sid = target.sid === undefined ? undefined : this.sids.decode(target.sid);
    if (target.sid !== undefined && !sid) return undefined;
    const to = 'to' in target ? target.to : numberOf(sid!.e164);
    if (!to || (sid && sid.e164 !== to.e164)) return undefined;
    const challenge = await this.otpService.liveChallenge(appOf(service), PURPOSE, to);
    if (challenge && sid && !this.sids.names(sid, challenge.id)) return undefined;
    return { to, ...(challenge && { challenge }) };
  }

  private view(service: VerifyService, to: PhoneNumber, challenge: Challenge, status: VerificationStatus): Verification {
    return { sid: this.sids.encode(to.e164, challenge.id), service, to: to.e164, status, challenge };
  }
}

function numberOf(e164: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumber(e164);
  } catch {
    return undefined;
  }
}
