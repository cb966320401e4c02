/**
 * `leukoscan serve` as a user runs it (a child process, the tiny test model, a sim: source) after a
 * crash: the interrupted scan is offered, not replaced by a new one at 0; `--resume` continues it.
 * And the startup line shows an RTSP source without its password.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ScanStore } from '../../src/store/scan-store.js';
import { SCAN_START, cell, tempHome } from '../store/helpers/cells.js';
import { TINY_MODEL, killServeChildren, spawnServe } from './serve-child.js';

const DEAD_PID = 2 ** 22 + 12345;

const cleanups: (() => void)[] = [];
afterEach(() => {
  killServeChildren();
  for (const c of cleanups.splice(0)) c();
});

function serve(home: string, args: string[]) {
  const s = spawnServe(home, ['--model', TINY_MODEL, '--port', '0', ...args]);
  const waitFor = async (re: RegExp, timeoutMs = 60_000) => {
    const end = Date.now() + timeoutMs;
    while (!re.test(s.stdout())) {
      if (Date.now() > end || s.child.exitCode !== null) throw new Error(`no ${re} in serve output:\n${s.stdout()}\n${s.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child: s.child, stdout: s.stdout, waitFor, exit: s.exit };
}

/** A home whose scan #1 was killed at 5 counted cells. */
async function crashedHome(): Promise<string> {
  const home = tempHome('leukoscan-serve-resume-');
  cleanups.push(() => home.cleanup());
  const store = ScanStore.open(home.dir);
  const scan = store.startScan(SCAN_START);
  store.recordCells(scan.id, Array.from({ length: 5 }, (_, i) => cell(i)));
  await store.flush();
  store.database.prepare('UPDATE scans SET writer_pid = ? WHERE id = ?').run(DEAD_PID, scan.id);
  await store.close();
  return home.dir;
}

async function stop(s: ReturnType<typeof serve>): Promise<void> {
  s.child.kill('SIGTERM');
  expect(await s.exit).toBe(0);
}

describe('leukoscan serve after a crash', () => {
  it('offers the interrupted scan instead of starting a new one at 0; --resume continues it', async () => {
    const home = await crashedHome();
    const a = serve(home, ['--source', 'sim:fps=5,duration=200']);
    await a.waitFor(/scan #1 was interrupted at 5 cells: Resume or Close it on the dashboard, or restart with --resume/);
    await stop(a);
    const store = ScanStore.open(home);
    expect(store.listScans().map((s) => s.id)).toEqual([1]);
    await store.close();

    const b = serve(home, ['--source', 'sim:fps=5,duration=200', '--resume']);
    await b.waitFor(/resumed scan #1 at 5 cells/);
    await stop(b);
    const after = ScanStore.open(home);
    expect(after.listScans().map((s) => [s.id, s.status])).toEqual([[1, 'paused']]); // left paused by the clean stop, resumable
    await after.close();
  });

  it('CREDENTIALS - the startup line shows an RTSP source without its password', async () => {
    const home = tempHome('leukoscan-serve-rtsp-');
    cleanups.push(() => home.cleanup());
    const s = serve(home.dir, ['--source', 'rtsp://admin:Pa55word@127.0.0.1:9/cam', '--no-start', '--no-store']);
    await s.waitFor(/viewer \(read-only\)/);
    expect(s.stdout()).toContain('leukoscan serve: rtsp://admin:***@127.0.0.1:9/cam with');
    expect(s.stdout()).not.toContain('Pa55word');
    await stop(s);
  });
});
