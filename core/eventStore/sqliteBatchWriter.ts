import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SqliteWriter, type WireAppend, type WireOutcome } from './sqliteWriter.js';
import type { WriterRequest } from './sqliteWriterWorker.js';

/** Where the embedded store's batches are committed: a writer thread, or this thread. */
export interface BatchWriter {
  write(batch: WireAppend[]): Promise<WireOutcome[]>;
  close(): Promise<void>;
}

/**
 * Commits on a worker thread, so the fsync of a commit does not stop the event loop: requests
 * go on being parsed, checked and decided while a batch is on its way to the disk.
 * One batch at a time; the store sends the next once this one is answered.
 */
export class WorkerBatchWriter implements BatchWriter {
  private readonly worker: Worker;
  private pending: { resolve: (outcomes: WireOutcome[]) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(file: string) {
    this.worker = startWriterThread(file);
    this.worker.unref();
    this.worker.on('message', (outcomes: WireOutcome[]) => this.settle((p) => p.resolve(outcomes)));
    this.worker.on('error', (error) => {
      this.failure = error;
      this.settle((p) => p.reject(error));
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  write(batch: WireAppend[]): Promise<WireOutcome[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref(); // keep the process alive while a commit is in flight
      this.worker.postMessage({ type: 'batch', batch } satisfies WriterRequest);
    });
  }

  private settle(action: (pending: NonNullable<WorkerBatchWriter['pending']>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    this.worker.unref();
    if (pending) action(pending);
  }

  async close(): Promise<void> {
    this.worker.ref(); // the process waits for the writer to close its connection
    if (!this.failure) this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    else await this.worker.terminate();
    await this.exited;
  }
}

/**
 * The writer thread runs TypeScript like the rest of the server: module hooks registered on the
 * main thread (tsx) do not reach a worker, so a two-line bootstrap registers tsx there first.
 */
function startWriterThread(file: string): Worker {
  const entry = new URL('./sqliteWriterWorker.ts', import.meta.url).href;
  // tsx's ESM API entry (its package "exports" map: ./esm/api -> import -> dist/esm/api/index.mjs)
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { file } });
}

/** Commits on this thread (for tools that open the store briefly, and as the reference behaviour). */
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
