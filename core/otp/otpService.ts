import type { Clock } from '../clock.js';
import { handleCommand } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { Ids } from '../ids.js';
import type { SmsSender } from '../sms/smsSender.js';
import { phoneNumberHash, type PhoneNumber } from '../users/phoneNumber.js';
import { identifierHash } from '../users/userEvents.js';
import { generateCode, hashCode } from './otpCodes.js';
import { otpDecider } from './otpDecider.js';
import { otpStreamId, type OtpIssuedData, type OtpPurpose } from './otpEvents.js';
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
  redirect?: { uri: string; createNewUser: boolean };
  rules: OtpRules;
  request: RequestContext;
  metadata: Partial<EventMetadata>;
}

export interface VerifyOtpCommand {
  app: OtpApp;
  purpose: OtpPurpose;
  phone: PhoneNumber;
  passcode: string;
  metadata: Partial<EventMetadata>;
}

export type VerifyOtpResult = { ok: true; code: OtpIssuedData } | { ok: false; lockedOut: boolean };

/** Unknown identifiers get a stream of their own: the request is recorded, nothing is sent. */
export const unknownRecipientStreamId = (tenantId: string) => `otpunknown-${tenantId}`;

/**
 * Issues and checks codes: the code is generated here, hashed into `OtpIssued` with its attempt rules, sent,
 * and forgotten. The rules (latest code only, single use, expiry, lockout) are the decider's.
 */
export class OtpService {
  private readonly eventStore: EventStore;
  private readonly hmacKey: Buffer;
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly smsSender: SmsSender;

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

  /** Throws `LockedOutError` while the phone is locked out. Answers the id of the code it issued. */
  async send(command: SendOtpCommand): Promise<{ otpId: string }> {
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
      ...(command.redirect && { redirectUri: command.redirect.uri, createNewUser: command.redirect.createNewUser }),
      attempts: rules.attempts,
    };
    await handleCommand(this.eventStore, stream, otpDecider, { type: 'IssueOtp', now, otp }, command.metadata);
    try {
      await this.smsSender.send({
        tenantId: app.tenantId,
        clientId: app.clientId,
        to: phone.e164,
        ...(rules.message.senderId && { senderId: rules.message.senderId }),
        body: rules.message.render(code),
        metadata: command.metadata,
        request: command.request,
        delivery: rules.delivery,
      });
    } catch (error) {
      // a code nobody received must not stay usable
      await handleCommand(this.eventStore, stream, otpDecider, { type: 'RevokeOtp', now: this.clock.now(), otpId: otp.otpId, reason: 'delivery_failed' }, command.metadata);
      throw error;
    }
    return { otpId: otp.otpId };
  }

  /**
   * A send or authentication for an identifier that matches no user: recorded (harvesting attempts
   * are audit data) with the same kind of durable write a real one makes; nothing is sent.
   */
  async recordUnknownIdentifier(tenantId: string, attempt: 'send' | 'authenticate', identifierType: string, identifier: string, metadata: Partial<EventMetadata>): Promise<void> {
    await this.eventStore.appendToStream(unknownRecipientStreamId(tenantId), [{
      type: 'OtpRequestedForUnknownIdentifier',
      data: { attempt, identifierType, identifierHash: identifierHash(this.hmacKey, identifierType, identifier), at: this.clock.now().toISOString() },
      metadata,
    }]);
  }

  /** Throws `LockedOutError` while the phone is locked out. The code's own attempt rules count a wrong guess. */
  async verify(command: VerifyOtpCommand): Promise<VerifyOtpResult> {
    const { app, purpose, phone, passcode } = command;
    const stream = otpStreamId(app.tenantId, purpose, this.phoneHash(phone));
    const result = await handleCommand(this.eventStore, stream, otpDecider, {
      type: 'VerifyOtp',
      now: this.clock.now(),
      codeHash: hashCode(this.hmacKey, stream, passcode),
      clientId: app.clientId,
    }, command.metadata);
    const verified = result.events.some((event) => event.type === 'OtpVerified');
    if (verified && result.state.code) return { ok: true, code: result.state.code };
    return { ok: false, lockedOut: result.events.some((event) => event.type === 'UserLockedOut') };
  }
}
