import type { Clock } from '../clock.js';
import { handleCommand, loadState } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { Ids } from '../ids.js';
import type { SmsSender } from '../sms/smsSender.js';
import { phoneNumberHash, type PhoneNumber } from '../users/phoneNumber.js';
import { AnswerTiming, outcomeOf } from './answerTiming.js';
import { generateCode, hashCode } from './otpCodes.js';
import { challengeIdOf, isRealCode, liveCode, otpDecider } from './otpDecider.js';
import { otpStreamId, redirectFields, type OtpEvent, type OtpFailureReason, type OtpIssuedData, type OtpPurpose, type RedirectLogin } from './otpEvents.js';
import type { OtpRules } from './otpRules.js';
import type { RequestContext } from './requestContext.js';

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

export type SendToUnknownCommand = Omit<SendOtpCommand, 'phone' | 'userId' | 'redirect'> & { identifier: UnknownIdentifier };

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
  id: challengeIdOf(code), clientId: code.clientId, sentAt: [...(code.challenge?.sentBefore ?? []), code.issuedAt], expiresAt: code.expiresAt,
});

/**
 * Issues and checks codes: the code is generated here, hashed into `OtpIssued` with its attempt rules, sent,
 * and forgotten. The rules (latest code only, single use, expiry, lockout) are the decider's.
 *
 * An identifier that matches no user takes the same path in a stream of its own (named by its keyed hash):
 * a code is made and counted like any other, its SMS is dispatched as a decoy (the provider's limits, retries
 * and outcome, no send), and the answer comes no sooner than a known one's would (`AnswerTiming`). Status,
 * body, limits, lockouts and timing therefore answer alike.
 */
export class OtpService {
  private readonly eventStore: EventStore;
  private readonly hmacKey: Buffer;
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly smsSender: SmsSender;
  private readonly timing = new AnswerTiming();

  constructor(deps: { eventStore: EventStore; secrets: { hmacKey: Buffer }; clock: Clock; ids: Ids; smsSender: SmsSender }) {
    this.eventStore = deps.eventStore;
    this.hmacKey = deps.secrets.hmacKey;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.smsSender = deps.smsSender;
  }

  phoneHash(phone: PhoneNumber): string {
    return phoneNumberHash(this.hmacKey, phone.e164);
  }

  /**
   * Throws `LockedOutError` while the phone is locked out, `TooManySendsError` for a resend beyond its rules'
   * `maxSends`. Answers the id of the code it issued and the challenge the code belongs to.
   */
  async send(command: SendOtpCommand): Promise<{ otpId: string; challenge: Challenge }> {
    return this.timed(command, async () => {
      const { app, purpose, phone, rules } = command;
      const now = this.clock.now();
      const phoneHash = this.phoneHash(phone);
      const stream = otpStreamId(app.tenantId, purpose, phoneHash);
      const code = generateCode(rules.codeLength);
      const otp: OtpIssuedData = {
        otpId: this.ids.uuid(),
        codeHash: hashCode(this.hmacKey, stream, code),
        purpose,
        clientId: app.clientId,
        ...(command.userId && { userId: command.userId }),
        phoneHash,
        countryCallingCode: phone.countryCallingCode,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + rules.ttlSeconds * 1000).toISOString(),
        ...(command.redirect && redirectFields(command.redirect)),
        attempts: rules.attempts,
      };
      const issued = await handleCommand(this.eventStore, stream, otpDecider, { type: 'IssueOtp', now, otp, ...(rules.resend && { resend: rules.resend }) }, command.metadata);
      const { message } = rules;
      await this.delivered(command, stream, otp.otpId, () => this.smsSender.send({
        ...this.dispatch(command, stream, otp.otpId),
        to: phone.e164,
        ...(message.senderId && { senderId: message.senderId }),
        body: message.render(code),
      }));
      const recorded = issued.events.find((event): event is Extract<OtpEvent, { type: 'OtpIssued' }> => event.type === 'OtpIssued')!;
      return { otpId: otp.otpId, challenge: challengeOf(recorded.data) };
    });
  }

  /**
   * A send for an identifier that matches no user: a code made, hashed and recorded like any other (harvesting
   * attempts are audit data) in the identifier's own stream, then a decoy dispatch; nothing is sent.
   */
  async sendToUnknown(command: SendToUnknownCommand): Promise<void> {
    await this.padded(command, async () => {
      const { app, purpose, identifier, rules } = command;
      const now = this.clock.now();
      const stream = otpStreamId(app.tenantId, purpose, identifier.hash);
      const otpId = this.ids.uuid();
      // a real code, the same work as a known send's, that nobody will ever receive
      const codeHash = hashCode(this.hmacKey, stream, generateCode(rules.codeLength));
      await handleCommand(this.eventStore, stream, otpDecider, {
        type: 'IssueUnknownIdentifierOtp', now,
        otp: {
          otpId, codeHash, purpose, clientId: app.clientId, identifierType: identifier.type, identifierHash: identifier.hash,
          issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + rules.ttlSeconds * 1000).toISOString(), attempts: rules.attempts,
        },
      }, command.metadata);
      await this.delivered(command, stream, otpId, () => this.smsSender.withhold({
        ...this.dispatch(command, stream, otpId),
        ...(identifier.phone && { to: identifier.phone.e164 }),
        reason: 'unknown_identifier',
      }));
    });
  }

  /** Throws `LockedOutError` while the phone is locked out. The code's own attempt rules count a wrong guess. */
  async verify(command: VerifyOtpCommand): Promise<VerifyOtpResult> {
    return this.timed(command, () => this.check(command, otpStreamId(command.app.tenantId, command.purpose, this.phoneHash(command.phone))));
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
    const result = await handleCommand(this.eventStore, otpStreamId(app.tenantId, purpose, this.phoneHash(phone)), otpDecider,
      { type: 'CloseChallenge', now: this.clock.now(), challengeId, reason }, command.metadata);
    return result.events.length > 0;
  }

  /** A code checked for an identifier that matches no user: counted (and locked out) in its own stream; never ok. */
  async verifyUnknown(command: VerifyUnknownCommand): Promise<VerifyOtpResult> {
    return this.padded(command, () => this.check(command, otpStreamId(command.app.tenantId, command.purpose, command.identifier.hash)));
  }

  private async check(command: VerifyOtpCommand | VerifyUnknownCommand, stream: string): Promise<VerifyOtpResult> {
    const result = await handleCommand(this.eventStore, stream, otpDecider, {
      type: 'VerifyOtp',
      now: this.clock.now(),
      codeHash: hashCode(this.hmacKey, stream, command.passcode),
      clientId: command.app.clientId,
      ...(command.challengeId !== undefined && { challengeId: command.challengeId }),
    }, command.metadata);
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
  private async delivered(command: SendOtpCommand | SendToUnknownCommand, stream: string, otpId: string, dispatch: () => Promise<void>): Promise<void> {
    try {
      await dispatch();
    } catch (error) {
      await handleCommand(this.eventStore, stream, otpDecider, { type: 'RevokeOtp', now: this.clock.now(), otpId, reason: 'delivery_failed' }, command.metadata);
      throw error;
    }
  }

  /** A known identifier's operation, its duration remembered by outcome for the unknown path to match. */
  private async timed<T>(command: { app: OtpApp; request: RequestContext }, operation: () => Promise<T>): Promise<T> {
    const key = timingKey(command);
    try {
      const result = await operation();
      this.timing.record(key, resultOutcome(result), command.request.receivedAt);
      return result;
    } catch (error) {
      this.timing.record(key, outcomeOf(error), command.request.receivedAt);
      throw error;
    }
  }

  /** An unknown identifier's operation, answered no sooner than a known one with the same outcome. */
  private async padded<T>(command: { app: OtpApp; request: RequestContext }, operation: () => Promise<T>): Promise<T> {
    const key = timingKey(command);
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      await this.timing.pad(key, outcomeOf(error), command.request.receivedAt);
      throw error;
    }
    await this.timing.pad(key, resultOutcome(result), command.request.receivedAt);
    return result;
  }
}

/** A refused check (`{ ok: false }`) is timed apart from a success. */
const resultOutcome = (result: unknown) => ((result as { ok?: unknown } | undefined)?.ok === false ? 'refused' : 'ok');

const timingKey = ({ app, request }: { app: OtpApp; request: RequestContext }) => `${app.tenantId}\0${request.endpoint}`;
