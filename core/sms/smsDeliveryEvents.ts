/**
 * The outcome of each SMS dispatch, recorded in the OTP stream of the code the SMS carried (so in the phone's
 * own stream: no stream that every SMS of a tenant appends to). The SMS text is never stored (only its length):
 * it holds the code. The number is not stored either: the stream is named by the phone's keyed hash.
 */
interface DispatchData {
  tenantId: string;
  clientId?: string;
  /** The code the SMS carried (its `OtpIssued` is earlier in the same stream). */
  otpId?: string;
  provider: string;
  /** 0 for the tenant's primary provider, 1.. for its fallbacks. */
  fallbackIndex: number;
  countryCallingCode?: string;
  /** Only in events recorded before SMS outcomes moved into the OTP streams (`smsdelivery-<tenant>`). */
  to?: string;
}

export interface SmsSentData extends DispatchData {
  providerMessageId?: string;
  segments?: number;
  /** 1 for the first try with this provider, 2 and 3 for retries. */
  attempt: number;
  bodyLength: number;
  sentAt: string;
}

export interface SmsDeliveryFailedData extends DispatchData {
  /** The kit code: `timeout`, `unavailable`, `rejected`, ... */
  code: string;
  /** The provider's description, any digits of the SMS text masked. */
  message: string;
  attempts: number;
  failedAt: string;
}

/**
 * An SMS that was dispatched in every respect but the send itself: the provider's rate accounting, retries and
 * outcome were those of a real send, and nothing left. `reason` says why: the identifier matched no user (so
 * known and unknown identifiers answer alike), or screening held the send back silently.
 */
export interface SmsWithheldData extends DispatchData {
  reason: 'unknown_identifier' | 'held_back';
  /** `as_sent` when the send would have gone through, else the kit code a real send got at that point. */
  outcome: string;
  attempts: number;
  at: string;
}

export type SmsDeliveryEvent =
  | { type: 'SmsSent'; data: SmsSentData }
  | { type: 'SmsDeliveryFailed'; data: SmsDeliveryFailedData }
  | { type: 'SmsWithheld'; data: SmsWithheldData };
