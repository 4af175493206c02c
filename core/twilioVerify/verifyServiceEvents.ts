/**
 * Events of a tenant's Twilio Verify Services (`verifyServicesStreamId`): configuration, written only when a
 * management client creates, updates or deletes a Service, never by a verification.
 */

/** A Service's settings as otpledger applies them: Twilio's defaults are filled in when it is created. */
export interface VerifyServiceSettings {
  /** The `{app}` of the SMS text ("Your {FriendlyName} verification code is: …"). */
  friendlyName: string;
  /** Digits of the code, 4-10. */
  codeLength: number;
  /** Appends Twilio's "Don't share this code" sentence to the SMS. */
  doNotShareWarningEnabled: boolean;
  /**
   * How long a code lives, how many checks a verification survives and how many codes it may send. Twilio sets
   * these per Service only through its support; otpledger takes them as `Otpledger.*` parameters.
   */
  codeValiditySeconds: number;
  maxCheckAttempts: number;
  maxSendAttempts: number;
}

export interface VerifyServiceCreatedData {
  tenantId: string;
  /** `VA` and 32 hex digits. */
  sid: string;
  settings: VerifyServiceSettings;
  at: string;
}

export type VerifyServiceEvent =
  | { type: 'VerifyServiceCreated'; data: VerifyServiceCreatedData }
  | { type: 'VerifyServiceUpdated'; data: { sid: string; changes: Partial<VerifyServiceSettings>; at: string } }
  | { type: 'VerifyServiceDeleted'; data: { sid: string; at: string } };

/**
 * Twilio's limits for a Service that sets none: codes of 6 digits that live 10 minutes, 5 checks and 5 sends
 * per verification (twilio.com/docs/verify/api/rate-limits-and-timeouts, /docs/api/errors/60202 and 60203).
 */
export const TWILIO_SERVICE_DEFAULTS = Object.freeze({
  codeLength: 6,
  doNotShareWarningEnabled: false,
  codeValiditySeconds: 600,
  maxCheckAttempts: 5,
  maxSendAttempts: 5,
});

/** The one owner of the Services stream name: one per tenant, appended to by Service management only. */
export const verifyServicesStreamId = (tenantId: string) => `verifyservices-${tenantId}`;
