import type { Application } from '../../../applications/applicationDecider.js';
import type { OtpRules } from '../../../otp/otpRules.js';
import { checkSmsCustomisation, DEFAULT_SMS_TEMPLATE, renderSmsText } from '../../../otp/smsText.js';

export interface SmsCustomisation {
  customMessage?: string | undefined;
  senderId?: string | undefined;
}

/**
 * The Mosaic dialect's rules for a code: the application's OTP policy (length, lifetime, lockout), and its
 * text from the request's `custom_message` (checked by the seeds' rules) or the default template.
 */
export function cisOtpRules(app: Application, { customMessage, senderId }: SmsCustomisation = {}): OtpRules {
  checkSmsCustomisation(customMessage, senderId);
  const template = customMessage ?? DEFAULT_SMS_TEMPLATE;
  return {
    codeLength: app.otp.code_length,
    ttlSeconds: app.otp.expires_in_minutes * 60,
    attempts: { maxFailedAttempts: app.otp.max_failed_attempts, lockoutMinutes: app.otp.lockout_minutes },
    message: { render: (code) => renderSmsText(template, { app: app.name, otp: code }), ...(senderId && { senderId }) },
    delivery: {},
  };
}
