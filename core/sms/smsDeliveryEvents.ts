/**
 * The outcome of each SMS dispatch, per tenant. The SMS text is never stored (only its length): it holds
 * the code. `to` is kept in E.164 for delivery support; aggregate by `countryCallingCode`.
 */
export interface SmsSentData {
  tenantId: string;
  clientId?: string;
  provider: string;
  providerMessageId?: string;
  segments?: number;
  /** 1 for the first try with this provider, 2 and 3 for retries. */
  attempt: number;
  /** 0 for the tenant's primary provider, 1.. for its fallbacks. */
  fallbackIndex: number;
  to: string;
  countryCallingCode?: string;
  bodyLength: number;
  sentAt: string;
}

export interface SmsDeliveryFailedData {
  tenantId: string;
  clientId?: string;
  provider: string;
  /** The kit code: `timeout`, `unavailable`, `rejected`, ... */
  code: string;
  /** The provider's description, any digits of the SMS text masked. */
  message: string;
  attempts: number;
  fallbackIndex: number;
  to: string;
  countryCallingCode?: string;
  failedAt: string;
}

export type SmsDeliveryEvent = { type: 'SmsSent'; data: SmsSentData } | { type: 'SmsDeliveryFailed'; data: SmsDeliveryFailedData };

/** The one place that names a tenant's SMS delivery stream. */
export const smsDeliveryStreamId = (tenantId: string) => `smsdelivery-${tenantId}`;
