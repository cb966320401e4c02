import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, ScanStore } from '../../src/store/index.js';
import { tempHome } from './helpers/cells.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

interface Report {
  scanId: number;
  committed: number;
  reviews: number;
}

/** Runs the writer; on each report `decide` says whether to let it continue; the first 'kill' SIGKILLs it. */
function runWriter(home: string, mode: 'lockstep' | 'free', kill: (r: Report) => boolean): Promise<Report[]> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WRITER, home, mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const reports: Report[] = [];
  return new Promise((resolve, reject) => {
    let killed = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (killed) return;
      const r = JSON.parse(line) as Report;
      reports.push(r);
      if (kill(r)) {
        killed = true;
        child.kill('SIGKILL');
      } else if (mode === 'lockstep') {
        child.stdin!.write('go\n');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(reports);
      else reject(new Error(`writer exited with ${code ?? signal} before it was killed`));
    });
  });
}

function runResume(home: string, scanId: number, firstIndex: number, n: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, home, 'resume', String(scanId), String(firstIndex), String(n)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`resume writer exited with ${code}`)))),
  );
}

describe('crash recovery (a real child process killed with SIGKILL)', () => {
  let home: ReturnType<typeof tempHome> | null = null;
  afterEach(() => home?.cleanup());

  it('kill -9 right after a commit: the reopened scan has exactly the committed cells and reviews', async () => {
    home = tempHome();
    const reports = await runWriter(home.dir, 'lockstep', (r) => r.committed >= 150);
    const last = reports.at(-1)!;
    expect(last.committed).toBeGreaterThanOrEqual(150);

    const store = ScanStore.open(home.dir);
    try {
      const scan = store.getScan(last.scanId);
      expect(scan.status).toBe('running');
      expect(scan.interrupted).toBe(true); // its writer is dead
      expect(scan.cellsStored).toBe(last.committed);
      expect(store.reviews(last.scanId)).toHaveLength(last.reviews);
      const d = store.differential(last.scanId);
      expect(d.counted + d.rejected).toBe(last.committed);
      expect(d.rejected).toBe(last.reviews);
      // The differential is recomputed from cells + reviews: same numbers as counting the rows by hand.
      const byHand = new Map<string, number>();
      for (const c of store.listCells(last.scanId)) if (c.type) byHand.set(c.type, (byHand.get(c.type) ?? 0) + 1);
      for (const row of d.rows) expect(row.count).toBe(byHand.get(row.type) ?? 0);
    } finally {
      await store.close();
    }
  });

  it('kill -9 at any moment while writing: only whole batches survive, none torn, and the scan resumes', async () => {
    home = tempHome();
    const reports = await runWriter(home.dir, 'free', (r) => r.committed >= 400);
    const last = reports.at(-1)!;

    const store = ScanStore.open(home.dir); // runs quick_check: the file is sound
    const scanId = last.scanId;
    const cells = store.listCells(scanId);
    // Committed batches are in order, so the stored track ids are 1..n with no gap (no torn batch).
    expect(cells.map((c) => c.trackId)).toEqual(Array.from({ length: cells.length }, (_, i) => i + 1));
    // Everything reported as committed is there; at most the batch in flight at the kill is also there.
    expect(cells.length).toBeGreaterThanOrEqual(last.committed);
    expect(store.differential(scanId).counted + store.differential(scanId).rejected).toBe(cells.length);
    const before = store.differential(scanId);
    expect(store.getScan(scanId).interrupted).toBe(true);
    await store.close();

    // Resume in another process and add 30 more cells: the counts go on from the committed ones.
    await runResume(home.dir, scanId, cells.length, 30);
    const after = ScanStore.open(home.dir);
    try {
      const d = after.differential(scanId);
      expect(d.counted).toBe(before.counted + 30);
      expect(d.rejected).toBe(before.rejected);
      expect(after.scanEvents(scanId).map((e) => e.kind)).toContain('scan-resumed');
    } finally {
      await after.close();
    }
  });

  it('POWER LOSS - a torn tail of the WAL (the last write cut short) loses only that write, never the file', async () => {
    home = tempHome();
    const reports = await runWriter(home.dir, 'free', (r) => r.committed >= 200);
    const last = reports.at(-1)!;
    const wal = join(home.dir, `${DATABASE_FILE}-wal`);
    expect(existsSync(wal)).toBe(true);
    // What a power cut in the middle of appending to the WAL leaves: its last bytes never reached the disk.
    const torn = tempHome();
    try {
      for (const cut of [1, 1000, 5000]) {
        cpSync(home.dir, torn.dir, { recursive: true });
        const tornWal = join(torn.dir, `${DATABASE_FILE}-wal`);
        truncateSync(tornWal, Math.max(0, statSync(tornWal).size - cut));
        const store = ScanStore.open(torn.dir); // quick_check runs here: the file is sound
        try {
          const cells = store.listCells(last.scanId);
          // A prefix of the counted cells survives: whole batches, in order, no gap.
          expect(cells.map((c) => c.trackId)).toEqual(Array.from({ length: cells.length }, (_, i) => i + 1));
          expect(cells.length).toBeGreaterThan(0);
          const d = store.differential(last.scanId);
          expect(d.counted + d.rejected).toBe(cells.length);
        } finally {
          await store.close();
        }
      }
    } finally {
      torn.cleanup();
    }
  });
});
