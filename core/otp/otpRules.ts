/**
 * How a code is made, checked and worded: resolved once by the dialect at the edge (Mosaic from the
 * application's OTP policy and the request's `custom_sms_input`, Auth0 from the connection's `totp` and
 * template), then carried unchanged through the one send path. The domain never learns which dialect asked.
 */
export interface OtpRules {
  /** Digits of the code (4-10). */
  codeLength: number;
  /** How long the code lives. */
  ttlSeconds: number;
  /** Recorded with the code: its wrong guesses are counted by these rules, whoever checks it. */
  attempts: AttemptRules;
  /** The SMS text for a code, and the sender to show (the provider's default when absent). */
  message: { render(code: string): string; senderId?: string };
  /** Provider retries for transient failures (Auth0 calls its gateway once); absent: the dispatcher's policy. */
  delivery: DeliveryRules;
  /** Whether a send may continue the live challenge; absent: every send starts a challenge of its own. */
  resend?: ResendRules;
}

/**
 * A send while the same app's latest code for the same user is still live continues that code's challenge: a new
 * code replaces the old one under the challenge's id (Twilio Verify's pending verification). `maxSends` caps the
 * codes one challenge sends; one more is refused with `TooManySendsError`.
 */
export interface ResendRules {
  maxSends: number;
}

export interface AttemptRules {
  /** Consecutive wrong guesses (at codes with a lockout) that lock the phone out; `null`: this code never locks (Auth0 style). */
  maxFailedAttempts: number | null;
  lockoutMinutes: number;
  /** Wrong guesses this code survives before it is burnt (Auth0: 3); absent: until the lockout. */
  maxAttemptsPerCode?: number;
}

export interface DeliveryRules {
  maxRetries?: number;
}

/**
 * The rules of codes recorded before codes carried their own (the schema's default OTP policy). Such a code
 * lives minutes at most, so this matters only across an upgrade.
 */
export const LEGACY_ATTEMPT_RULES: AttemptRules = Object.freeze({ maxFailedAttempts: 3, lockoutMinutes: 15 });
