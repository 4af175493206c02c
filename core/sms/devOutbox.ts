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

/** Phones kept in memory; beyond it the one written to longest ago is forgotten (a flood cannot grow the map). */
const KEPT_PHONES = 10_000;

export interface DevOutboxOptions {
  dataDir: string;
  clock: Clock;
  /** `dev.outbox`: off, nothing is kept or written, anywhere. */
  enabled: boolean;
  keptPhones?: number;
}

/**
 * The development sender: with `dev.outbox` on, messages land in `<dataDir>/sms-outbox.ndjson` (one JSON
 * line each, for people to read) and in memory (for `GET /dev/sms-outbox`, newest first). For evaluation
 * and tests only: it holds codes in clear, so the server warns when it is on. With `dev.outbox` off (the
 * default, and production) it keeps nothing: the Default provider's sends are then only their `SmsSent`
 * events, which hold no text.
 */
export class DevOutbox {
  /** Insertion order is recency: a phone written to moves to the end; the first is the one to forget. */
  private readonly byPhone = new Map<string, OutboxMessage[]>();
  /** One append-mode stream: lines stay in order and concurrent sends share writes. */
  private readonly lines: fs.WriteStream | undefined;
  private readonly keptPhones: number;

  constructor(private readonly options: DevOutboxOptions) {
    this.keptPhones = options.keptPhones ?? KEPT_PHONES;
    if (!options.enabled) return;
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.lines = fs.createWriteStream(path.join(options.dataDir, 'sms-outbox.ndjson'), { flags: 'a', mode: 0o600 });
    this.lines.on('error', () => undefined); // each send sees its own write's error
  }

  async send(sms: Pick<OutgoingSms, 'to' | 'body' | 'senderId'>): Promise<void> {
    const lines = this.lines;
    if (!lines) return;
    const message: OutboxMessage = {
      phone_number: sms.to,
      sender_id: sms.senderId ?? null,
      message: sms.body,
      sent_at: this.options.clock.now().toISOString(),
    };
    this.keep(message);
    // appends are chained so lines never interleave; the send waits for its own line
    await new Promise<void>((resolve, reject) => {
      lines.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.lines ? this.lines.end(resolve) : resolve()));
  }

  /** The latest messages to one number, newest first. */
  messagesTo(phoneNumber: string): OutboxMessage[] {
    return [...(this.byPhone.get(phoneNumber) ?? [])];
  }

  /** How many phones are held in memory. */
  get phoneCount(): number {
    return this.byPhone.size;
  }

  private keep(message: OutboxMessage): void {
    const kept = this.byPhone.get(message.phone_number) ?? [];
    this.byPhone.delete(message.phone_number);
    kept.unshift(message);
    kept.length = Math.min(kept.length, KEPT_PER_PHONE);
    this.byPhone.set(message.phone_number, kept);
    if (this.byPhone.size > this.keptPhones) this.byPhone.delete(this.byPhone.keys().next().value!);
  }
}
