import type { OtpRules } from '../otp/otpRules.js';
import type { VerifyService } from './verifyServiceDecider.js';

/** What a Verify SMS may add to the Service's text. */
export interface VerifyTextOptions {
  /** Android's SMS Retriever hash: the text becomes `<#> … <hash>` (twilio.com/docs/verify/api/verification, AppHash). */
  appHash?: string | undefined;
}

/**
 * Twilio's SMS text: "Your {FriendlyName} verification code is: {code}" (twilio.com/docs/verify/api/service), with
 * the do-not-share sentence when the Service asks for it. The apostrophe is ASCII: a typographic one would
 * take the SMS out of the GSM-7 alphabet and halve what a segment holds.
 */
function verifySmsText(service: VerifyService, code: string, { appHash }: VerifyTextOptions = {}): string {
  const { friendlyName, doNotShareWarningEnabled } = service.settings;
  const text =
    `Your ${friendlyName} verification code is: ${code}` +
    (doNotShareWarningEnabled ? ". Don't share this code with anyone; our employees will never ask for the code" : '');
  return appHash ? `<#> ${text} ${appHash}` : text;
}

/**
 * The Twilio dialect's rules for a code: the Service's length and lifetime; its checks per verification as the
 * lockout (a locked phone answers 60202 until the verification would have expired: twilio.com/docs/api/errors/60202);
 * its sends per verification as resends of one challenge (60203: twilio.com/docs/api/errors/60203).
 */
export function verifyRules(service: VerifyService, options: VerifyTextOptions = {}): OtpRules {
  const { codeLength, codeValiditySeconds, maxCheckAttempts, maxSendAttempts } = service.settings;
  return {
    codeLength,
    ttlSeconds: codeValiditySeconds,
    attempts: { maxFailedAttempts: maxCheckAttempts, lockoutMinutes: Math.ceil(codeValiditySeconds / 60) },
    message: { render: (code) => verifySmsText(service, code, options) },
    delivery: {},
    resend: { maxSends: maxSendAttempts },
  };
}
