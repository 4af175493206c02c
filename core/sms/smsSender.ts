/** One SMS to send. `body` holds the code in clear: it exists only in memory and at the provider. */
export interface OutgoingSms {
  tenantId: string;
  to: string;
  senderId?: string;
  body: string;
}

/** Delivers an SMS (the provider plugins implement this behind the dispatcher). */
export interface SmsSender {
  send(sms: OutgoingSms): Promise<void>;
}
