/**
 * Starts a worker thread from a module beside the caller, the one way every
 * worker in leukoscan is started (detector, scan-store writer, sim renderer).
 * From compiled .js it is a plain Worker; from .ts sources (tsx, vitest) it
 * goes through ts-worker-bootstrap.mjs, which registers tsx's loader inside
 * the worker first.
 *
 *   startWorker(import.meta.url, './detect-worker', init)
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * `callerUrl`: the caller's import.meta.url; `entry`: the worker module
 * relative to it, without extension (it takes the caller's: .ts or .js).
 */
export function startWorker(callerUrl: string, entry: string, workerData: object, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const entryUrl = new URL(`${entry}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(entryUrl, { ...options, workerData });
  return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), { ...options, workerData: { ...workerData, tsEntry: entryUrl.href } });
}
