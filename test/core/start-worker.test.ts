/** startWorker from .ts sources: through tsx, or self-contained (bundled by esbuild, no tsx in the worker). */
import { describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { MODEL_CLASSES } from '../../src/core/classes.js';
import { startWorker } from '../../src/core/start-worker.js';

async function firstMessage(worker: Worker): Promise<unknown> {
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

describe('startWorker', () => {
  it.each([
    // [how the .ts entry is run]
    ['through tsx', false],
    ['self-contained (bundled)', true],
  ])('runs a .ts entry %s with its workerData and the repository modules it imports', async (_label, selfContained) => {
    const worker = startWorker(import.meta.url, './fixtures/echo-worker', { answer: 42 }, { selfContained });
    expect(await firstMessage(worker)).toEqual({ answer: 42, firstClass: MODEL_CLASSES[0] });
  });

  it('NOT SELF-CONTAINED - refuses to bundle an entry that imports an npm package, naming it', () => {
    expect(() => startWorker(import.meta.url, './fixtures/package-worker', {}, { selfContained: true })).toThrow(/package-worker\.ts imports rxjs: a self-contained worker may import only node: built-ins and repository modules/);
  });
});
