/**
 * Storage benchmark (npm run bench:store; or: npx tsx bench/store.ts [--cells 1000] [--rounds 50]).
 *
 * With realistic gallery crops (BCCD leukocytes, 64x64 JPEG q85 via sharp), it reports:
 *   1. storage used per 100 counted cells (file size after close, WAL checkpointed);
 *   2. time to open a scan of --cells cells: ScanStore.open (with quick_check) + loadScan, with
 *      and without crops, and differential();
 *   3. commit latency (one transaction, fsync included) by writer (thread / inline), synchronous
 *      FULL / NORMAL and batch size, and the cost of recordCells() on the caller's side;
 *   4. the event-loop delay the pipeline sees during a simulated scan, writer thread vs inline.
 * Data: $LEUKOSCAN_DATA or ../shared/data. Prints a summary and a JSON line.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ScanStore, type StoreEvent } from '../src/store/index.js';
import { loadBccdCrops } from '../test/store/helpers/bccd-crops.js';
import { SCAN_START, cell } from '../test/store/helpers/cells.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CELLS = arg('cells', 1000);
const ROUNDS = arg('rounds', 50);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x: number) => Math.round(x * 1000) / 1000;
const stats = (xs: number[]) => ({
  min: ms(Math.min(...xs)),
  p50: ms(quantile(xs, 0.5)),
  p95: ms(quantile(xs, 0.95)),
  max: ms(Math.max(...xs)),
  n: xs.length,
});

const crops = await loadBccdCrops(100);
const meanCrop = crops.reduce((s, c) => s + c.jpeg.length, 0) / crops.length;
const inputs = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const c = crops[(from + k) % crops.length];
    return cell(from + k, c.type, c.jpeg);
  });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'leukoscan-bench-'));
}

// 1. Storage per 100 cells -----------------------------------------------------------------------
const home = tempDir();
let scanId: number;
let emptyBytes: number;
{
  const store = ScanStore.open(home);
  const scan = store.startScan(SCAN_START);
  scanId = scan.id;
  await store.close();
  emptyBytes = statSync(join(home, 'leukoscan.db')).size;
  const s2 = ScanStore.open(home);
  s2.resumeScan(scanId);
  for (let i = 0; i < CELLS; i += 50) s2.recordCells(scanId, inputs(i, Math.min(50, CELLS - i)));
  await s2.endScan(scanId);
  await s2.close();
}
const fullBytes = statSync(join(home, 'leukoscan.db')).size;
const per100 = ((fullBytes - emptyBytes) / CELLS) * 100;

// 2. Open a scan of CELLS cells -------------------------------------------------------------------
const openMs: number[] = [];
const loadMs: number[] = [];
const loadCropsMs: number[] = [];
const diffMs: number[] = [];
// CPU time (user + system) next to wall time: on a loaded machine a niced process waits for the CPU,
// which inflates wall times of anything longer than a scheduler slice; CPU time is what the work costs.
const cpu = { open: [] as number[], load: [] as number[], loadCrops: [] as number[] };
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
for (let r = 0; r < 7; r++) {
  let t = performance.now();
  let c = process.cpuUsage();
  const store = ScanStore.open(home);
  openMs.push(performance.now() - t);
  cpu.open.push(cpuMs(c));
  t = performance.now();
  c = process.cpuUsage();
  const loaded = store.loadScan(scanId);
  loadMs.push(performance.now() - t);
  cpu.load.push(cpuMs(c));
  if (loaded.cells.length !== CELLS) throw new Error(`expected ${CELLS} cells, got ${loaded.cells.length}`);
  t = performance.now();
  c = process.cpuUsage();
  store.loadScan(scanId, { crops: true });
  loadCropsMs.push(performance.now() - t);
  cpu.loadCrops.push(cpuMs(c));
  t = performance.now();
  store.differential(scanId);
  diffMs.push(performance.now() - t);
  await store.close();
}

// 3. Flush latency: the commit (transaction + fsync), by writer, synchronous mode and batch size ------
const flush: Record<string, ReturnType<typeof stats>> = {};
const recordCost: Record<string, ReturnType<typeof stats>> = {};
for (const writer of ['worker', 'inline'] as const) {
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    for (const batch of [1, 8, 32, 128]) {
      const dir = tempDir();
      const store = ScanStore.open(dir, { writer, synchronous, flushIntervalMs: 1e9, flushMaxCells: 1e9 });
      const scan = store.startScan(SCAN_START);
      await store.writerPragma('user_version'); // thread started and connection open before timing
      const lat: number[] = [];
      const rec: number[] = [];
      store.events$.subscribe((e: StoreEvent) => {
        if (e.type === 'cells-stored') lat.push(e.flushMs);
      });
      let next = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const cellsIn = inputs(next, batch);
        next += batch;
        const t = performance.now();
        store.recordCells(scan.id, cellsIn);
        rec.push(performance.now() - t);
        await store.flush();
      }
      const key = `${writer}/${synchronous}/${batch}`;
      flush[key] = stats(lat);
      recordCost[key] = stats(rec);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// 4. What the pipeline feels: event-loop delay during a simulated scan ---------------------------------
// 30 "frames" a second, one counted cell per frame (far above a real differential's rate), default
// flush policy, synchronous FULL; the event-loop delay histogram shows how long the loop was blocked.
const SCAN_SECONDS = arg('scan-seconds', 5);
const loop: Record<string, { p50: number; p99: number; max: number; cells: number; mainThreadActiveMs: number; elu: number }> = {};
for (const writer of ['worker', 'inline'] as const) {
  const dir = tempDir();
  const store = ScanStore.open(dir, { writer });
  const scan = store.startScan(SCAN_START);
  await store.writerPragma('user_version');
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const elu0 = performance.eventLoopUtilization();
  let next = 0;
  const end = performance.now() + SCAN_SECONDS * 1000;
  await new Promise<void>((resolve) => {
    const tick = () => {
      store.recordCells(scan.id, inputs(next++, 1));
      if (performance.now() < end) setTimeout(tick, 33);
      else resolve();
    };
    tick();
  });
  await store.flush();
  const elu = performance.eventLoopUtilization(elu0);
  h.disable();
  await store.close();
  loop[writer] = {
    p50: ms(h.percentile(50) / 1e6),
    p99: ms(h.percentile(99) / 1e6),
    max: ms(h.max / 1e6),
    cells: next,
    mainThreadActiveMs: Math.round(elu.active),
    elu: Math.round(elu.utilization * 1000) / 1000,
  };
  rmSync(dir, { recursive: true, force: true });
}
rmSync(home, { recursive: true, force: true });

const result = {
  cells: CELLS,
  meanCropBytes: Math.round(meanCrop),
  storage: { emptyBytes, fullBytes, bytesPer100Cells: Math.round(per100), kibPer100Cells: Math.round((per100 / 1024) * 10) / 10 },
  open: {
    openMs: stats(openMs),
    loadScanMs: stats(loadMs),
    loadScanWithCropsMs: stats(loadCropsMs),
    differentialMs: stats(diffMs),
    cpuMs: { open: stats(cpu.open), loadScan: stats(cpu.load), loadScanWithCrops: stats(cpu.loadCrops) },
  },
  flushMsByBatch: flush,
  recordCellsMsByBatch: recordCost,
  eventLoopDelayMsDuringScan: loop,
};

console.log(`crops: ${crops.length} BCCD leukocytes, 64x64 JPEG q85, mean ${result.meanCropBytes} B`);
console.log(`storage: ${result.storage.kibPer100Cells} KiB per 100 counted cells (${CELLS} cells: ${fullBytes} B file, empty ${emptyBytes} B)`);
console.log(
  `open a scan of ${CELLS} cells (p50 / min of 7): ScanStore.open ${result.open.openMs.p50} / ${result.open.openMs.min} ms, ` +
    `loadScan ${result.open.loadScanMs.p50} / ${result.open.loadScanMs.min} ms, with crops ${result.open.loadScanWithCropsMs.p50} / ` +
    `${result.open.loadScanWithCropsMs.min} ms, differential ${result.open.differentialMs.p50} / ${result.open.differentialMs.min} ms`,
);
console.log(
  `  CPU time (p50): open ${result.open.cpuMs.open.p50} ms, loadScan ${result.open.cpuMs.loadScan.p50} ms, with crops ${result.open.cpuMs.loadScanWithCrops.p50} ms`,
);
for (const [k, v] of Object.entries(flush)) {
  console.log(`commit ${k.padEnd(17)} cells: p50 ${v.p50} ms, p95 ${v.p95} ms, max ${v.max} ms; recordCells() p50 ${recordCost[k].p50} ms`);
}
for (const [k, v] of Object.entries(loop)) {
  console.log(
    `simulated scan, ${k} writer, ${v.cells} cells in ${SCAN_SECONDS} s: main thread busy ${v.mainThreadActiveMs} ms (ELU ${v.elu}); ` +
      `event-loop delay p50 ${v.p50} ms, p99 ${v.p99} ms, max ${v.max} ms`,
  );
}
console.log(JSON.stringify(result));
