import { SqliteWriter, type WireAppend, type WireOutcome } from './sqliteWriter.js';

/**
 * Where the embedded store's batches are committed. Today: this thread. A writer thread was tried
 * and measured slower (bench:store, 100 writers: 12.4k vs 18.3k appends/s; 1 writer: 0.6k vs 2.9k):
 * copying each batch across threads cost more than the fsync it took off the event loop.
 */
export interface BatchWriter {
  write(batch: WireAppend[]): Promise<WireOutcome[]>;
  close(): Promise<void>;
}

/** Commits on this thread, one immediate transaction (one fsync) per batch. */
export class InlineBatchWriter implements BatchWriter {
  private readonly writer: SqliteWriter;

  constructor(file: string) {
    this.writer = SqliteWriter.open(file);
  }

  async write(batch: WireAppend[]): Promise<WireOutcome[]> {
    return this.writer.writeBatch(batch);
  }

  async close(): Promise<void> {
    this.writer.close();
  }
}
