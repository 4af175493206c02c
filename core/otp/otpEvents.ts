/**
 * Events of one OTP stream: the codes sent to one phone (or asked for an identifier that matches no user) for
 * one purpose in one tenant (`otpStreamId`), and the outcome of each SMS. No event holds a code: only its keyed
 * hash.
 */
import type { SmsSendRefusedData } from '../protection/smsSendRefused.js';
import type { SmsDeliveryEvent } from '../sms/smsDeliveryEvents.js';
import type { AttemptRules } from './otpRules.js';

export type OtpPurpose = 'login' | 'verify';

export interface OtpIssuedData {
  otpId: string;
  /** HMAC-SHA256 of the code under the server's HMAC key, bound to this stream. */
  codeHash: string;
  purpose: OtpPurpose;
  clientId: string;
  /** Known user the code is for; absent when a redirect login may create the user. */
  userId?: string;
  /** Keyed hash of the phone (the stream name holds it too); the number itself lives on the user. */
  phoneHash: string;
  countryCallingCode?: string;
  issuedAt: string;
  expiresAt: string;
  /** Redirect login: where the authorization code goes, and whether a new user may be created. */
  redirectUri?: string;
  createNewUser?: boolean;
  /** Redirect login, OAuth: returned on the redirect (`state`), put in the id_token (`nonce`), PKCE's S256 challenge. */
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  /** The rules its wrong guesses are counted by, whoever checks it (absent on codes recorded before: the legacy rules). */
  attempts?: AttemptRules;
  /** Failures carried into this code (set by the decider): makes `OtpIssued` a snapshot of the stream. */
  failedAttempts?: number;
  /**
   * The challenge this code continues, when it is a resend (set by the decider): the challenge's id (the otpId of
   * its first code) and when each earlier code of it was issued. Absent: the code starts a challenge, its otpId its id.
   */
  challenge?: { id: string; sentBefore: string[] };
  /** The destination's region, number type and range (the number without its last 4 digits), for screening. */
  country?: string;
  numberType?: string;
  prefix?: string;
  /** Codes issued to this stream before this one, per UTC minute (`2026-11-22T10:04`), over the last day (set by the decider). */
  sendsBefore?: SendsPerMinute;
}

/** How many codes a stream was issued in each UTC minute (`YYYY-MM-DDTHH:MM`). */
export type SendsPerMinute = Record<string, number>;

/**
 * A code for an identifier that matches no user: made, hashed and counted exactly like a real one (so wrong
 * guesses, lockouts and limits answer alike), and never sent. Its stream is named by the identifier's keyed hash.
 */
export interface UnknownIdentifierCodeData {
  otpId: string;
  codeHash: string;
  purpose: OtpPurpose;
  clientId: string;
  /** `phone_number`, `email`, `username` or `user_id`, and the keyed hash of the (normalised) value. */
  identifierType: string;
  identifierHash: string;
  issuedAt: string;
  expiresAt: string;
  attempts: AttemptRules;
  failedAttempts?: number;
  sendsBefore?: SendsPerMinute;
}

/** A redirect login's OAuth request, carried by its code from the send to the authorization code. */
export interface RedirectLogin {
  uri: string;
  createNewUser: boolean;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
}

/** The `OtpIssued` fields of a redirect login. */
export function redirectFields({ uri, createNewUser, state, nonce, codeChallenge }: RedirectLogin): Partial<OtpIssuedData> {
  return {
    redirectUri: uri,
    createNewUser,
    ...(state !== undefined && { state }),
    ...(nonce !== undefined && { nonce }),
    ...(codeChallenge !== undefined && { codeChallenge }),
  };
}

export type OtpFailureReason = 'mismatch' | 'expired' | 'no_active_code';

/** `canceled` and `approved_by_client`: the caller closed the challenge (withdrawn, or confirmed by its own means). */
export type OtpRevokeReason = 'delivery_failed' | 'too_many_attempts' | 'canceled' | 'approved_by_client';

export type OtpEvent =
  | { type: 'OtpIssued'; data: OtpIssuedData }
  | { type: 'OtpFailed'; data: { otpId?: string; reason: OtpFailureReason; failedAttempts: number; at: string } }
  | { type: 'OtpVerified'; data: { otpId: string; at: string } }
  | { type: 'UserLockedOut'; data: { until: string; failedAttempts: number; at: string } }
  /** The code can no longer be used: its SMS could not be delivered, it was guessed at too often, or the caller closed its challenge. */
  | { type: 'OtpRevoked'; data: { otpId: string; reason: OtpRevokeReason; at: string } }
  | { type: 'OtpRequestedForUnknownIdentifier'; data: UnknownIdentifierCodeData }
  /** Screening refused a send to this stream, or held it back (see `SmsSendRefusedData`). */
  | { type: 'SmsSendRefused'; data: SmsSendRefusedData }
  | SmsDeliveryEvent;

/**
 * The one owner of OTP stream names: per tenant, purpose and recipient, the recipient being the phone's keyed
 * hash (`phoneNumberHash`), or for an identifier that matches no user the identifier's keyed hash (the same
 * value for a phone number).
 */
export function otpStreamId(tenantId: string, purpose: OtpPurpose, recipientHash: string): string {
  return `otp-${tenantId}-${purpose}-${recipientHash}`;
}
