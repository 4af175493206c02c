import type { NewEvent } from '../eventStore/types.js';
import type { ServerMetrics } from './serverMetrics.js';

/**
 * The one place domain outcomes become counters: each event this process appended, by type. Counting here,
 * rather than beside each command, means every dialect and every path that records an outcome is counted the
 * same way, and a counter cannot drift from the log (an event whose append failed is never counted).
 * `SmsSendRefused` is counted by its type name: the SMS protection policy records it.
 */
export function countAppendedEvents(metrics: ServerMetrics, events: readonly NewEvent[]): void {
  for (const event of events) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const tenant = tenantLabel(event.metadata?.tenantId ?? data.tenantId);
    switch (event.type) {
      case 'OtpIssued':
        metrics.otpIssued.inc({ tenant });
        break;
      case 'OtpVerified':
        metrics.otpVerified.inc({ tenant });
        break;
      case 'OtpFailed':
        metrics.otpFailed.inc({ tenant, reason: nameLabel(data.reason) });
        break;
      case 'OtpRequestedForUnknownIdentifier':
        metrics.otpUnknownIdentifier.inc({ tenant });
        break;
      case 'UserLockedOut':
        metrics.lockouts.inc({ tenant });
        break;
      case 'SmsSent':
        metrics.smsSent.inc({ tenant, provider: nameLabel(data.provider) });
        break;
      case 'SmsDeliveryFailed':
        metrics.smsFailed.inc({ tenant, provider: nameLabel(data.provider), code: nameLabel(data.code) });
        break;
      case 'SmsWithheld':
        metrics.smsWithheld.inc({ tenant, reason: nameLabel(data.reason) });
        break;
      case 'SmsSendRefused':
        metrics.smsRefused.inc({ tenant, reason: nameLabel(data.reason) });
        break;
    }
  }
}

/**
 * A label value from a bounded vocabulary (provider names, kit codes, reasons): it must start with a letter
 * and hold only letters, digits, `_` and `-`, so no phone number (`+1…`), IP address (`10.…`, `::1`), code
 * (digits) or free text can ever become a label; anything else is `other`.
 */
export function nameLabel(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(value) ? value : 'other';
}

/** Tenant ids are validated where tenants are created (`^[a-z0-9][a-z0-9-]{0,62}$`); anything else is `unknown`. */
function tenantLabel(value: unknown): string {
  return typeof value === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(value) ? value : 'unknown';
}
