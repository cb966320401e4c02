import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/app/serial-queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SerialQueue', () => {
  it('runs tasks one at a time in the order queued, each caller getting its own result', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await tick(ms);
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([q.run(task('a', 20)), q.run(task('b', 1)), q.run(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(q.pending).toBe(0);
  });

  it('FAILED TASK - rejects its caller only; the next task still runs', async () => {
    const q = new SerialQueue();
    const failed = q.run(async () => {
      throw new Error('cannot pause a scan that is idle');
    });
    const next = q.run(() => 'ran');
    await expect(failed).rejects.toThrow('cannot pause a scan that is idle');
    await expect(next).resolves.toBe('ran');
  });

  it('counts what is queued or running', async () => {
    const q = new SerialQueue();
    const a = q.run(() => tick(5));
    const b = q.run(() => tick(5));
    expect(q.pending).toBe(2);
    await a;
    expect(q.pending).toBe(1);
    await b;
    expect(q.pending).toBe(0);
  });
});
