// Starts the writer thread from its .ts source (under tsx or vitest, without a build): registers
// tsx's loader in this worker thread, then imports the entry named in workerData.tsEntry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
