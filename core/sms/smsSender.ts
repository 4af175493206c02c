import type { EventMetadata } from '../eventStore/types.js';
import type { DeliveryRules } from '../otp/otpRules.js';
import type { RequestContext } from '../otp/requestContext.js';

/** One SMS to send. `body` holds the code in clear: it exists only in memory and at the provider. */
export interface OutgoingSms {
  tenantId: string;
  /** The application the SMS is sent for (delivery statistics group by it). */
  clientId?: string;
  to: string;
  senderId?: string;
  body: string;
  /** Metadata for the events the dispatch records (correlation id, actor). */
  metadata?: Partial<EventMetadata>;
  /** The request that asked for the SMS; a provider may forward its address and user agent. */
  request?: RequestContext;
  /** Retries the code's rules allow; the dispatch policy's otherwise. */
  delivery?: DeliveryRules;
}

/** Delivers an SMS (the provider plugins implement this behind the dispatcher). */
export interface SmsSender {
  send(sms: OutgoingSms): Promise<void>;
}
