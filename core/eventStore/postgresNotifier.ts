import pg from 'pg';
import { clientConfig, type PostgresSettings } from './postgresConnection.js';
import { notifyChannel } from './postgresSchema.js';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * One LISTEN connection per store, shared by its live subscriptions: every commit by any process
 * NOTIFYs the channel and the listeners wake. When the connection drops (the database restarts,
 * the network breaks), it reconnects with backoff and wakes everyone once it is back, since
 * notifications sent meanwhile are lost; subscriptions also poll, so they never depend on it alone.
 */
export class PostgresNotifier {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;
  private started = false;
  private readonly channel: string;

  constructor(private readonly settings: PostgresSettings) {
    this.channel = notifyChannel(settings.schema);
  }

  /** Calls `wake` after every commit seen; returns the function that stops it. */
  listen(wake: () => void): () => void {
    this.listeners.add(wake);
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
    return () => this.listeners.delete(wake);
  }

  /** True while the LISTEN connection is up. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(clientConfig(this.settings));
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', () => this.wakeAll());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch {
      onLost();
      return;
    }
    if (this.closed) return void client.end().catch(() => undefined);
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    this.wakeAll(); // whatever was committed while we were away
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }

  private wakeAll(): void {
    for (const wake of this.listeners) wake();
  }
}
