import type { EventMetadata } from '../eventStore/types.js';
import type { DeliveryRules } from '../otp/otpRules.js';
import type { RequestContext } from '../otp/requestContext.js';

/** What every dispatch names: for whom, which code, and where its outcome is recorded. */
export interface Dispatch {
  tenantId: string;
  /** The application the SMS is for (delivery statistics group by it). */
  clientId?: string;
  /** The code's stream and id: the outcome event goes into that stream, beside the code's `OtpIssued`. */
  otp: { stream: string; otpId: string };
  /** Metadata for the events the dispatch records (correlation id, actor). */
  metadata?: Partial<EventMetadata>;
  /** The request that asked for the SMS; a provider may forward its address and user agent. */
  request?: RequestContext;
  /** Retries the code's rules allow; the dispatch policy's otherwise. */
  delivery?: DeliveryRules;
}

/** One SMS to send. `body` holds the code in clear: it exists only in memory and at the provider. */
export interface OutgoingSms extends Dispatch {
  /** E.164. */
  to: string;
  senderId?: string;
  body: string;
}

/** An SMS dispatched in every respect but the send (see `SmsWithheld`). */
export interface WithheldSms extends Dispatch {
  /** E.164, when the recipient is a phone number. */
  to?: string;
  reason: 'unknown_identifier' | 'held_back';
}

/** Delivers an SMS (the provider plugins implement this behind the dispatcher). */
export interface SmsSender {
  send(sms: OutgoingSms): Promise<void>;
  /**
   * Runs a decoy through the same path: each provider's own limit (`reserve`), the retries and fallbacks, an
   * outcome drawn from the provider's recent real ones, and an outcome event; nothing is sent. Throws what a
   * real send would have thrown.
   */
  withhold(sms: WithheldSms): Promise<void>;
}
