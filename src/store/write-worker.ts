/**
 * The writer thread: owns its own connection to the database file and commits the batches the
 * main thread posts, so that a commit's fsync (synchronous FULL) never blocks the event loop.
 * Protocol (one request at a time, answered in order): see WriterRequest / WriterReply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBatchWriter } from './batch-writer.js';
import { openConnection } from './connection.js';
import type { WriterInit, WriterReply, WriterRequest } from './writer.js';

const init = workerData as WriterInit;
const port = parentPort!;
let db: ReturnType<typeof openConnection> | null = null;
let write: ReturnType<typeof createBatchWriter> | null = null;

function reply(message: WriterReply): void {
  port.postMessage(message);
}

function errorOf(err: unknown): { code: string; message: string } {
  return { code: String((err as { code?: unknown }).code ?? 'ERROR'), message: err instanceof Error ? err.message : String(err) };
}

port.on('message', (req: WriterRequest) => {
  try {
    if (req.type === 'close') {
      db?.close();
      db = null;
      reply({ type: 'closed', id: req.id }); // the owner terminates this thread on this reply
      return;
    }
    if (!db) {
      db = openConnection(init.file, init.config);
      write = createBatchWriter(db);
    }
    if (req.type === 'write') reply({ type: 'written', id: req.id, result: write!(req.batch) });
    else reply({ type: 'pragma', id: req.id, result: db.pragma(req.pragma) });
  } catch (err) {
    reply({ type: 'failed', id: req.id, error: errorOf(err) });
  }
});
