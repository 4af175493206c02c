import { createHash } from 'node:crypto';

/**
 * A tenant as a Twilio account: `AC` and 32 hex digits of SHA-256 over the tenant id. It names the tenant in
 * Twilio's `account_sid` fields and is no secret (Verify's paths carry no account; the SDK only needs one that
 * starts with AC).
 */
export function accountSidOf(tenantId: string): string {
  return `AC${createHash('sha256').update(`otpledger-tenant\0${tenantId}`).digest('hex').slice(0, 32)}`;
}
