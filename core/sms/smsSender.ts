import type { EventMetadata } from '../eventStore/types.js';

/** One SMS to send. `body` holds the code in clear: it exists only in memory and at the provider. */
export interface OutgoingSms {
  tenantId: string;
  to: string;
  senderId?: string;
  body: string;
  /** Metadata for the events the dispatch records (correlation id, actor). */
  metadata?: Partial<EventMetadata>;
}

/** Delivers an SMS (the provider plugins implement this behind the dispatcher). */
export interface SmsSender {
  send(sms: OutgoingSms): Promise<void>;
}
