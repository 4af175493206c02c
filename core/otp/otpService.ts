import type { Clock } from '../clock.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { Ids } from '../ids.js';
import type { SmsSender } from '../sms/smsSender.js';
import { phoneNumberHash, type PhoneNumber } from '../users/phoneNumber.js';
import { generateCode, hashCode } from './otpCodes.js';
import { challengeIdOf, isRealCode, liveCode, otpDecider, type OtpCommand } from './otpDecider.js';
import {
  otpStreamId,
  redirectFields,
  type OtpFailureReason,
  type OtpIssuedData,
  type OtpPurpose,
  type RedirectLogin,
} from './otpEvents.js';
import type { OtpRules } from './otpRules.js';
import type { RequestContext } from './requestContext.js';
import type { PreparedScreening, SmsScreening } from '../protection/smsScreening.js';
import type { SmsProtectionPolicy } from '../protection/smsProtectionPolicy.js';
import { SmsSendRefusedError } from '../protection/smsSendRefused.js';

/** The application a code is for, as the send path needs it. */
export interface OtpApp {
  tenantId: string;
  clientId: string;
}

/**
 * The one send command every dialect builds: who gets a code for what, under which rules (resolved by the
 * dialect), from which request.
 */
export interface SendOtpCommand {
  app: OtpApp;
  purpose: OtpPurpose;
  phone: PhoneNumber;
  /** Known user the code is for; absent when a login may create the user. */
  userId?: string;
  /** The user verified this very number before: the pumping guard never holds it back. */
  recipientVerified?: boolean;
  /**
   * The request named the number itself (default). False when the user was found by another identifier: a
   * destination rule then holds the send back silently instead of refusing it, which would say the user exists.
   */
  byNumber?: boolean;
  /**
   * The policy `checkDestination` answered for this very number: its destination rules passed under it, so the
   * send neither reads the policy again nor repeats them (each OTP request reads the tenant's policy once).
   */
  screenedUnder?: SmsProtectionPolicy;
  /** Redirect login: where the authorization code goes, and whether a new user may be created. */
  redirect?: RedirectLogin;
  rules: OtpRules;
  request: RequestContext;
  metadata: Partial<EventMetadata>;
}

/** An identifier that matches no user: its type and keyed hash (`UserDirectory.identifierHash`), and the number when it is one. */
export interface UnknownIdentifier {
  type: string;
  hash: string;
  phone?: PhoneNumber;
}

export type SendToUnknownCommand = Omit<SendOtpCommand, 'phone' | 'userId' | 'redirect' | 'recipientVerified' | 'byNumber'> & {
  identifier: UnknownIdentifier;
};

/** What the destination rules look at before the user lookup. */
export type DestinationCheck = Pick<SendOtpCommand, 'app' | 'purpose' | 'phone' | 'request' | 'metadata'>;

export interface VerifyOtpCommand {
  app: OtpApp;
  purpose: OtpPurpose;
  phone: PhoneNumber;
  passcode: string;
  /** Only a code of this challenge may match (another live code counts as none). */
  challengeId?: string;
  request: RequestContext;
  metadata: Partial<EventMetadata>;
}

export type VerifyUnknownCommand = Omit<VerifyOtpCommand, 'phone'> & { identifier: UnknownIdentifier };

export type VerifyOtpResult = { ok: true; code: OtpIssuedData } | { ok: false; lockedOut: boolean; reason: OtpFailureReason };

/** A code's challenge as a dialect shows it: its id, and when each of its codes was issued (the live one last). */
export interface Challenge {
  id: string;
  clientId: string;
  sentAt: string[];
  expiresAt: string;
}

export interface CloseChallengeCommand {
  app: OtpApp;
  purpose: OtpPurpose;
  phone: PhoneNumber;
  challengeId: string;
  reason: 'canceled' | 'approved_by_client';
  metadata: Partial<EventMetadata>;
}

const challengeOf = (code: OtpIssuedData): Challenge => ({
  id: challengeIdOf(code),
  clientId: code.clientId,
  sentAt: [...(code.challenge?.sentBefore ?? []), code.issuedAt],
  expiresAt: code.expiresAt,
});

type Deps = {
  eventStore: EventStore;
  secrets: { hmacKey: Buffer };
  clock: Clock;
  ids: Ids;
  smsSender: SmsSender;
  smsScreening: SmsScreening;
};

/**
 * Issues and checks codes: the code is generated here, hashed into `OtpIssued` with its attempt rules, sent,
 * and forgotten. The rules (latest code only, single use, expiry, lockout) are the decider's. Every send is
 * screened here, once for every dialect: the destination rules, the tenant's, address and range verdicts
 * (`SmsScreening`), and the phone's own limits in its stream (`screenSend`); every refusal or hold-back is an
 * `SmsSendRefused` event in that stream.
 *
 * An identifier that matches no user takes the same path in a stream of its own (named by its keyed hash):
 * a code is made, screened and counted like any other, and its SMS is dispatched as a decoy (the provider's
 * limits, retries, and a duration and outcome drawn from its recent real calls; no send). Status, body, limits,
 * lockouts and timing therefore answer alike.
 */
export class OtpService {
  private readonly eventStore: EventStore;
  private readonly hmacKey: Buffer;
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly smsSender: SmsSender;
  private readonly screening: SmsScreening;

  constructor(deps: Deps) {
    this.eventStore = deps.eventStore;
    this.hmacKey = deps.secrets.hmacKey;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.smsSender = deps.smsSender;
    this.screening = deps.smsScreening;
  }

  phoneHash(phone: PhoneNumber): string {
    return phoneNumberHash(this.hmacKey, phone.e164);
  }

  /**
   * The destination rules (countries, number types) for a number the request named, before anything is looked
   * up: throws `SmsSendRefusedError` (recorded in the number's stream) when they refuse it. Answers the policy
   * they passed under, for the send's `screenedUnder`; a send without it reads the policy and checks again.
   */
  async checkDestination(check: DestinationCheck): Promise<SmsProtectionPolicy> {
    const policy = await this.screening.policy(check.app.tenantId);
    await this.refuseDestination(check, policy, this.clock.now());
    return policy;
  }

  /**
   * Throws `LockedOutError` while the phone is locked out, `SmsSendRefusedError` when screening refuses the
   * send, `TooManySendsError` for a resend beyond its rules' `maxSends`. Answers the id of the code it issued
   * (also when the send was held back silently) and the challenge the code belongs to.
   */
  async send(command: SendOtpCommand): Promise<{ otpId: string; challenge: Challenge }> {
    const { app, purpose, phone, rules } = command;
    const now = this.clock.now();
    const phoneHash = this.phoneHash(phone);
    const stream = otpStreamId(app.tenantId, purpose, phoneHash);
    const policy = command.screenedUnder ?? (await this.screening.policy(app.tenantId));
    const byNumber = command.byNumber ?? true;
    if (byNumber && !command.screenedUnder) await this.refuseDestination(command, policy, now);
    const code = generateCode(rules.codeLength);
    const otp: OtpIssuedData = {
      otpId: this.ids.uuid(),
      codeHash: hashCode(this.hmacKey, stream, code),
      purpose,
      clientId: app.clientId,
      ...(command.userId && { userId: command.userId }),
      phoneHash,
      countryCallingCode: phone.countryCallingCode,
      country: phone.country,
      numberType: phone.numberType,
      prefix: phone.prefix,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + rules.ttlSeconds * 1000).toISOString(),
      ...(command.redirect && redirectFields(command.redirect)),
      attempts: rules.attempts,
    };
    const target = {
      tenantId: app.tenantId,
      clientId: app.clientId,
      phone,
      recipientHash: phoneHash,
      request: command.request,
      exempt: command.recipientVerified ?? false,
      byNumber,
      metadata: command.metadata,
    };
    const prepared = await this.screening.prepare(target, policy, now, false);
    const issue: OtpCommand = { type: 'IssueOtp', now, otp, screening: prepared.screening, ...(rules.resend && { resend: rules.resend }) };
    const { held, issued } = await this.issue(stream, prepared, issue, command.metadata);
    const dispatch = this.dispatch(command, stream, otp.otpId);
    await this.delivered(command, stream, otp.otpId, () =>
      held
        ? this.smsSender.withhold({ ...dispatch, to: phone.e164, reason: 'held_back' })
        : this.smsSender.send({
            ...dispatch,
            to: phone.e164,
            ...(rules.message.senderId && { senderId: rules.message.senderId }),
            body: rules.message.render(code),
          }),
    );
    return { otpId: otp.otpId, challenge: challengeOf(issued as OtpIssuedData) };
  }

  /**
   * A send for an identifier that matches no user: a code made, hashed, screened and recorded like any other
   * (harvesting attempts are audit data) in the identifier's own stream, then a decoy dispatch; nothing is sent.
   */
  async sendToUnknown(command: SendToUnknownCommand): Promise<void> {
    const { app, purpose, identifier, rules } = command;
    const now = this.clock.now();
    const stream = otpStreamId(app.tenantId, purpose, identifier.hash);
    const policy = command.screenedUnder ?? (await this.screening.policy(app.tenantId));
    if (identifier.phone && !command.screenedUnder) await this.refuseDestination({ ...command, phone: identifier.phone }, policy, now);
    const otpId = this.ids.uuid();
    // a real code, the same work as a known send's, that nobody will ever receive
    const codeHash = hashCode(this.hmacKey, stream, generateCode(rules.codeLength));
    const target = {
      tenantId: app.tenantId,
      clientId: app.clientId,
      ...(identifier.phone && { phone: identifier.phone }),
      recipientHash: identifier.hash,
      request: command.request,
      exempt: false,
      byNumber: true,
      metadata: command.metadata,
    };
    const prepared = await this.screening.prepare(target, policy, now, true);
    await this.issue(
      stream,
      prepared,
      {
        type: 'IssueUnknownIdentifierOtp',
        now,
        screening: prepared.screening,
        otp: {
          otpId,
          codeHash,
          purpose,
          clientId: app.clientId,
          identifierType: identifier.type,
          identifierHash: identifier.hash,
          issuedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + rules.ttlSeconds * 1000).toISOString(),
          attempts: rules.attempts,
        },
      },
      command.metadata,
    );
    await this.delivered(command, stream, otpId, () =>
      this.smsSender.withhold({
        ...this.dispatch(command, stream, otpId),
        ...(identifier.phone && { to: identifier.phone.e164 }),
        reason: 'unknown_identifier',
      }),
    );
  }

  /** Runs the screened issue; throws the refusal, or answers the code recorded and whether it is held back silently. */
  private async issue(stream: string, prepared: PreparedScreening, command: OtpCommand, metadata: Partial<EventMetadata>) {
    let result;
    try {
      result = await handleCommand(this.eventStore, stream, otpDecider, command, metadata);
    } catch (error) {
      prepared.cancel();
      throw error;
    }
    prepared.settle(result.events, result.position);
    const refusal = result.events.find((event) => event.type === 'SmsSendRefused');
    const issued = result.events.find((event) => event.type === 'OtpIssued' || event.type === 'OtpRequestedForUnknownIdentifier');
    if (!issued) throw new SmsSendRefusedError(refusal!.data);
    return { held: refusal?.data.mode === 'enforce', issued: issued.data };
  }

  private async refuseDestination(check: DestinationCheck, policy: SmsProtectionPolicy, now: Date): Promise<void> {
    const recipientHash = this.phoneHash(check.phone);
    const target = {
      tenantId: check.app.tenantId,
      clientId: check.app.clientId,
      phone: check.phone,
      recipientHash,
      request: check.request,
      exempt: false,
      byNumber: true,
      metadata: check.metadata,
    };
    const refusal = this.screening.destinationRefusal(policy, check.phone, this.screening.facts(target), now);
    if (!refusal) return;
    await handleCommand(
      this.eventStore,
      otpStreamId(check.app.tenantId, check.purpose, recipientHash),
      otpDecider,
      { type: 'RefuseSend', now, refusal },
      check.metadata,
    );
    throw new SmsSendRefusedError(refusal);
  }

  /** Throws `LockedOutError` while the phone is locked out. The code's own attempt rules count a wrong guess. */
  async verify(command: VerifyOtpCommand): Promise<VerifyOtpResult> {
    return this.check(command, otpStreamId(command.app.tenantId, command.purpose, this.phoneHash(command.phone)));
  }

  /** The phone's live challenge for this app (a code that can still be used), if there is one. */
  async liveChallenge(app: OtpApp, purpose: OtpPurpose, phone: PhoneNumber): Promise<Challenge | undefined> {
    const state = await loadState(this.eventStore, otpStreamId(app.tenantId, purpose, this.phoneHash(phone)), otpDecider);
    const code = liveCode(state, this.clock.now());
    return code && code.clientId === app.clientId ? challengeOf(code) : undefined;
  }

  /** Ends the live challenge `challengeId` on the caller's word (`OtpRevoked`); false when it was not live. */
  async closeChallenge(command: CloseChallengeCommand): Promise<boolean> {
    const { app, purpose, phone, challengeId, reason } = command;
    const result = await handleCommand(
      this.eventStore,
      otpStreamId(app.tenantId, purpose, this.phoneHash(phone)),
      otpDecider,
      { type: 'CloseChallenge', now: this.clock.now(), challengeId, reason },
      command.metadata,
    );
    return result.events.length > 0;
  }

  /** A code checked for an identifier that matches no user: counted (and locked out) in its own stream; never ok. */
  async verifyUnknown(command: VerifyUnknownCommand): Promise<VerifyOtpResult> {
    return this.check(command, otpStreamId(command.app.tenantId, command.purpose, command.identifier.hash));
  }

  private async check(command: VerifyOtpCommand | VerifyUnknownCommand, stream: string): Promise<VerifyOtpResult> {
    const result = await handleCommand(
      this.eventStore,
      stream,
      otpDecider,
      {
        type: 'VerifyOtp',
        now: this.clock.now(),
        codeHash: hashCode(this.hmacKey, stream, command.passcode),
        clientId: command.app.clientId,
        ...(command.challengeId !== undefined && { challengeId: command.challengeId }),
      },
      command.metadata,
    );
    const verified = result.events.some((event) => event.type === 'OtpVerified');
    const code = result.state.code;
    if (verified && code && isRealCode(code)) return { ok: true, code };
    const failed = result.events.find((event) => event.type === 'OtpFailed');
    const reason = failed?.type === 'OtpFailed' ? failed.data.reason : 'no_active_code';
    return { ok: false, lockedOut: result.events.some((event) => event.type === 'UserLockedOut'), reason };
  }

  private dispatch(command: SendOtpCommand | SendToUnknownCommand, stream: string, otpId: string) {
    const { app, metadata, request, rules } = command;
    return { tenantId: app.tenantId, clientId: app.clientId, otp: { stream, otpId }, metadata, request, delivery: rules.delivery };
  }

  /** Runs a dispatch; when nothing was delivered, the code is revoked (a code nobody received must not stay usable). */
  private async delivered(
    command: SendOtpCommand | SendToUnknownCommand,
    stream: string,
    otpId: string,
    dispatch: () => Promise<void>,
  ): Promise<void> {
    try {
      await dispatch();
    } catch (error) {
      await handleCommand(
        this.eventStore,
        stream,
        otpDecider,
        { type: 'RevokeOtp', now: this.clock.now(), otpId, reason: 'delivery_failed' },
        command.metadata,
      );
      throw error;
    }
  }
}
