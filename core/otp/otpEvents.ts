/**
 * Events of one OTP stream: the codes sent to one phone for one purpose in one tenant
 * (`otpStreamId`). No event holds a code: only its keyed hash.
 */
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
  /** The rules its wrong guesses are counted by, whoever checks it (absent on codes recorded before: the legacy rules). */
  attempts?: AttemptRules;
  /** Failures carried into this code (set by the decider): makes `OtpIssued` a snapshot of the stream. */
  failedAttempts?: number;
}

export type OtpFailureReason = 'mismatch' | 'expired' | 'no_active_code';

export type OtpEvent =
  | { type: 'OtpIssued'; data: OtpIssuedData }
  | { type: 'OtpFailed'; data: { otpId?: string; reason: OtpFailureReason; failedAttempts: number; at: string } }
  | { type: 'OtpVerified'; data: { otpId: string; at: string } }
  | { type: 'UserLockedOut'; data: { until: string; failedAttempts: number; at: string } }
  /** The code can no longer be used, e.g. its SMS could not be delivered. */
  | { type: 'OtpRevoked'; data: { otpId: string; reason: 'delivery_failed' | 'too_many_attempts'; at: string } };

export const otpEventTypes = ['OtpIssued', 'OtpFailed', 'OtpVerified', 'UserLockedOut', 'OtpRevoked'] as const;

/** The one owner of OTP stream names. */
export function otpStreamId(tenantId: string, purpose: OtpPurpose, phoneHash: string): string {
  return `otp-${tenantId}-${purpose}-${phoneHash}`;
}
