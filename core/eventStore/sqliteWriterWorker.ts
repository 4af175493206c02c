// The writer thread of the embedded store: commits batches (and their fsync) off the event loop,
// so request handling goes on while a commit is in flight.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteWriter, type WireAppend } from './sqliteWriter.js';

export type WriterRequest = { type: 'batch'; batch: WireAppend[] } | { type: 'close' };

const writer = SqliteWriter.open((workerData as { file: string }).file);
parentPort!.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    writer.close();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(writer.writeBatch(request.batch));
});
