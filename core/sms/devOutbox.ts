import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { OutgoingSms, SmsSender } from './smsSender.js';

export interface OutboxMessage {
  phone_number: string;
  sender_id: string | null;
  message: string;
  sent_at: string;
}

const KEPT_PER_PHONE = 20;

/**
 * The development sender: instead of a phone, messages land in `<dataDir>/sms-outbox.ndjson`
 * (one JSON line each, for people to read) and in memory (for `GET /dev/sms-outbox`, newest first).
 * For evaluation and tests only: it holds codes in clear, so the server warns when it is on.
 */
export class DevOutbox implements SmsSender {
  private readonly file: string;
  private readonly byPhone = new Map<string, OutboxMessage[]>();
  private writes: Promise<void> = Promise.resolve();

  constructor(dataDir: string, private readonly clock: Clock) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'sms-outbox.ndjson');
  }

  async send(sms: OutgoingSms): Promise<void> {
    const message: OutboxMessage = { phone_number: sms.to, sender_id: sms.senderId ?? null, message: sms.body, sent_at: this.clock.now().toISOString() };
    const kept = this.byPhone.get(sms.to) ?? [];
    kept.unshift(message);
    kept.length = Math.min(kept.length, KEPT_PER_PHONE);
    this.byPhone.set(sms.to, kept);
    // appends are chained so lines never interleave; the send waits for its own line
    const write = this.writes.then(() => fs.promises.appendFile(this.file, `${JSON.stringify(message)}\n`, { mode: 0o600 }));
    this.writes = write.catch(() => undefined);
    await write;
  }

  /** The latest messages to one number, newest first. */
  messagesTo(phoneNumber: string): OutboxMessage[] {
    return [...(this.byPhone.get(phoneNumber) ?? [])];
  }
}
