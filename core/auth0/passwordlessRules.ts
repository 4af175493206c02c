import type { AttemptRules, OtpRules } from '../otp/otpRules.js';
import { renderPasswordlessSms } from './passwordlessTemplate.js';
import type { ConnectionSettings } from './smsConnection.js';

/** Auth0's OTP rules: no lockout of the phone, 3 wrong guesses burn a code. */
const AUTH0_ATTEMPT_RULES: AttemptRules = Object.freeze({ maxFailedAttempts: null, lockoutMinutes: 0, maxAttemptsPerCode: 3 });

/** The Auth0 dialect's rules for a code: the connection's `totp` and template, Auth0's attempts, one gateway call. */
export function passwordlessRules(connection: ConnectionSettings, applicationName: string): OtpRules {
  return {
    codeLength: connection.totp.length,
    ttlSeconds: connection.totp.time_step,
    attempts: AUTH0_ATTEMPT_RULES,
    message: { render: (code) => renderPasswordlessSms(connection.template, { code, applicationName }) },
    delivery: { maxRetries: 0 }, // Auth0 calls the gateway once
  };
}
