// Starts a worker whose entry is a .ts source (running under tsx or vitest,
// without a build): registers tsx's loader in this worker thread, then imports
// the entry named in workerData.tsEntry. `--import tsx` in Worker execArgv
// does not reach worker threads reliably on Node 20, so it is done here.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
