import type { EventMetadata } from '../eventStore/types.js';

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
  /** The end user's request, for providers that forward it (Auth0-style `forward_req_info`). */
  requestInfo?: { ip?: string; userAgent?: string };
  /** Retries for transient failures, when the caller's dialect dictates them (Auth0 calls its gateway once); the policy's otherwise. */
  maxRetries?: number;
}

/** Delivers an SMS (the provider plugins implement this behind the dispatcher). */
export interface SmsSender {
  send(sms: OutgoingSms): Promise<void>;
}
