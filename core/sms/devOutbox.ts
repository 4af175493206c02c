import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { OutgoingSms } from './smsSender.js';

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
export class DevOutbox {
  private readonly byPhone = new Map<string, OutboxMessage[]>();
  /** One append-mode stream: lines stay in order and concurrent sends share writes. */
  private readonly lines: fs.WriteStream;

  constructor(dataDir: string, private readonly clock: Clock) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.lines = fs.createWriteStream(path.join(dataDir, 'sms-outbox.ndjson'), { flags: 'a', mode: 0o600 });
    this.lines.on('error', () => undefined); // each send sees its own write's error
  }

  async send(sms: Pick<OutgoingSms, 'to' | 'body' | 'senderId'>): Promise<void> {
    const message: OutboxMessage = { phone_number: sms.to, sender_id: sms.senderId ?? null, message: sms.body, sent_at: this.clock.now().toISOString() };
    const kept = this.byPhone.get(sms.to) ?? [];
    kept.unshift(message);
    kept.length = Math.min(kept.length, KEPT_PER_PHONE);
    this.byPhone.set(sms.to, kept);
    // appends are chained so lines never interleave; the send waits for its own line
    await new Promise<void>((resolve, reject) => {
      this.lines.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.lines.end(resolve));
  }

  /** The latest messages to one number, newest first. */
  messagesTo(phoneNumber: string): OutboxMessage[] {
    return [...(this.byPhone.get(phoneNumber) ?? [])];
  }
}
