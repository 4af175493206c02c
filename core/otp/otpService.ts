import type { Clock } from '../clock.js';
import { handleCommand } from '../decider/commandHandler.js';
import type { EventMetadata, EventStore } from '../eventStore/types.js';
import type { Ids } from '../ids.js';
import type { OutgoingSms, SmsSender } from '../sms/smsSender.js';
import type { Application } from '../applications/applicationDecider.js';
import { phoneNumberHash, type PhoneNumber } from '../users/phoneNumber.js';
import { identifierHash } from '../users/userEvents.js';
import { generateCode, hashCode } from './otpCodes.js';
import { otpDecider, type OtpPolicy } from './otpDecider.js';
import { otpStreamId, type OtpIssuedData, type OtpPurpose } from './otpEvents.js';
import { DEFAULT_SMS_TEMPLATE, renderSmsText } from './smsText.js';

export interface SendOtpRequest {
  tenantId: string;
  app: Application;
  purpose: OtpPurpose;
  phone: PhoneNumber;
  userId?: string;
  customMessage?: string;
  senderId?: string;
  redirectUri?: string;
  createNewUser?: boolean;
  metadata: Partial<EventMetadata>;
  /** Another dialect's code rules (Auth0 `totp`): over the app's `code_length` and `expires_in_minutes`. */
  codeLength?: number;
  ttlSeconds?: number;
  /** Renders the SMS text for a code (another dialect's template); the Mosaic template otherwise. */
  render?: (code: string) => string;
  /** Passed to the SMS sender: the end user's request, and the dialect's retry budget. */
  requestInfo?: OutgoingSms['requestInfo'];
  maxRetries?: number;
}

export interface VerifyOtpRequest {
  tenantId: string;
  app: Application;
  purpose: OtpPurpose;
  phone: PhoneNumber;
  passcode: string;
  metadata: Partial<EventMetadata>;
  /** Another dialect's attempt rules (Auth0: no lockout, 3 tries per code); the app's lockout otherwise. */
  policy?: OtpPolicy;
}

export type VerifyOtpResult = { ok: true; code: OtpIssuedData } | { ok: false; lockedOut: boolean };

/** Unknown identifiers get a stream of their own: the request is recorded, nothing is sent. */
export const unknownRecipientStreamId = (tenantId: string) => `otpunknown-${tenantId}`;

/**
 * Issues and checks codes: the code is generated here, hashed into `OtpIssued`, sent, and
 * forgotten. The rules (latest code only, single use, expiry, lockout) are the decider's.
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
  async send(request: SendOtpRequest): Promise<{ otpId: string }> {
    const { tenantId, app, purpose, phone } = request;
    const now = this.clock.now();
    const phoneHash = this.phoneHash(phone);
    const stream = otpStreamId(tenantId, purpose, phoneHash);
    const code = generateCode(request.codeLength ?? app.otp.code_length);
    const ttlMs = request.ttlSeconds !== undefined ? request.ttlSeconds * 1000 : app.otp.expires_in_minutes * 60_000;
    const otp: OtpIssuedData = {
      otpId: this.ids.uuid(),
      codeHash: hashCode(this.hmacKey, stream, code),
      purpose,
      clientId: app.clientId,
      ...(request.userId && { userId: request.userId }),
      phoneHash,
      countryCallingCode: phone.countryCallingCode,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      ...(request.redirectUri && { redirectUri: request.redirectUri, createNewUser: request.createNewUser ?? false }),
    };
    await handleCommand(this.eventStore, stream, otpDecider, { type: 'IssueOtp', now, otp }, request.metadata);
    try {
      await this.smsSender.send({
        tenantId,
        clientId: app.clientId,
        to: phone.e164,
        ...(request.senderId && { senderId: request.senderId }),
        body: request.render ? request.render(code) : renderSmsText(request.customMessage ?? DEFAULT_SMS_TEMPLATE, { app: app.name, otp: code }),
        metadata: request.metadata,
        ...(request.requestInfo && { requestInfo: request.requestInfo }),
        ...(request.maxRetries !== undefined && { maxRetries: request.maxRetries }),
      });
    } catch (error) {
      // a code nobody received must not stay usable
      await handleCommand(this.eventStore, stream, otpDecider, { type: 'RevokeOtp', now: this.clock.now(), otpId: otp.otpId, reason: 'delivery_failed' }, request.metadata);
      throw error;
    }
    return { otpId: otp.otpId };
  }

  /**
   * A send or authentication for an identifier that matches no user: recorded (harvesting attempts
   * are audit data) with the same kind of durable write a real one makes; nothing is sent.
   */
  async recordUnknownIdentifier(tenantId: string, attempt: 'send' | 'authenticate', identifierType: string, identifier: string, metadata: Partial<EventMetadata>): Promise<void> {
    generateCode(6); // the same work a real send does before its write
    await this.eventStore.appendToStream(unknownRecipientStreamId(tenantId), [{
      type: 'OtpRequestedForUnknownIdentifier',
      data: { attempt, identifierType, identifierHash: identifierHash(this.hmacKey, identifierType, identifier), at: this.clock.now().toISOString() },
      metadata,
    }]);
  }

  /** Throws `LockedOutError` while the phone is locked out. */
  async verify(request: VerifyOtpRequest): Promise<VerifyOtpResult> {
    const { tenantId, app, purpose, phone, passcode } = request;
    const stream = otpStreamId(tenantId, purpose, this.phoneHash(phone));
    const result = await handleCommand(this.eventStore, stream, otpDecider, {
      type: 'VerifyOtp',
      now: this.clock.now(),
      codeHash: hashCode(this.hmacKey, stream, passcode),
      clientId: app.clientId,
      policy: request.policy ?? { maxFailedAttempts: app.otp.max_failed_attempts, lockoutMinutes: app.otp.lockout_minutes },
    }, request.metadata);
    const verified = result.events.some((event) => event.type === 'OtpVerified');
    if (verified && result.state.code) return { ok: true, code: result.state.code };
    return { ok: false, lockedOut: result.events.some((event) => event.type === 'UserLockedOut') };
  }
}
