import { egressRefusal, type SmsProviderError } from '@otpledger/plugin-kit';

const described: Record<SmsProviderError['code'], string> = {
  invalid_config: 'the provider settings are not usable',
  invalid_recipient: 'the provider refused the recipient',
  auth_failed: 'the provider refused our credentials',
  rate_limited: "the provider's rate limit was reached",
  timeout: 'the provider did not answer in time',
  rejected: 'the provider refused the message',
  unavailable: 'the provider could not be reached',
};

/** A provider's own error code is kept only when it looks like a code. */
const codeLike = /^[A-Za-z0-9._:-]{1,32}$/;

/**
 * What an event (`SmsDeliveryFailed`, `ProviderValidationFailed`) stores of a provider failure: our words for
 * its kind, the HTTP status and the provider's error code — never the remote's free text, which an attacker
 * controlling the address can fill with anything (and which the audit API would then serve), and which may
 * hold the recipient's number. Bounded: at most 120 characters.
 */
export function storedFailureReason(error: SmsProviderError): string {
  const details = [
    ...(Number.isInteger(error.httpStatus) && error.httpStatus! >= 100 && error.httpStatus! <= 599 ? [`HTTP ${error.httpStatus}`] : []),
    ...(error.providerCode !== undefined && codeLike.test(String(error.providerCode)) ? [`provider code ${error.providerCode}`] : []),
  ];
  const kind = egressRefusal(error)
    ? 'the provider address was refused by the egress policy'
    : (described[error.code] ?? 'the provider failed');
  return `${kind}${details.length > 0 ? ` (${details.join(', ')})` : ''}`.slice(0, 120);
}

/**
 * A provider's message as it may be logged or shown to an administrator: control characters removed, the
 * recipient's number and the SMS text's digit runs masked, at most 300 characters.
 */
export function sanitizedProviderMessage(message: string, sms: { to?: string; body?: string } = {}): string {
  let text = message.replace(/\p{Cc}+/gu, ' ');
  for (const secret of [sms.to, sms.to?.replace(/^\+/, ''), ...(sms.body?.match(/\d{4,}/g) ?? [])]) {
    if (secret) text = text.replaceAll(secret, '****');
  }
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
