/**
 * ms per frame of the calibrated detector at each magnification (issue 21), 640x480 frames, the
 * shipped model (+ typer), the scale given (so the plan is the one a correct calibration makes):
 *
 *   npm run bench:tiling -- [--frames N] [--mags 0.25,0.4,0.6,1,1.5] [--auto | --only-auto]
 *                           [--models a.onnx,b.onnx] [--precision auto|float|int8]
 *
 * Frames: BCCD test fields at magnification m relative to BCCD: m < 1 a mosaic of fields shrunk,
 * m > 1 a centre crop enlarged (sharp, bilinear). Rows: 'off' (today, at m = 1 only), the fixed
 * scale (--um-per-px for that m), and with --auto the auto calibrator (its estimate per frame,
 * which then chooses the plan), with the estimate's error. With --models, each file gets its rows in
 * the same run (issue 26: frames per second of tiled frames, today's file beside a new one).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Frame } from '../src/core/frame.js';
import { AutoCalibrator, colourReferenceOf } from '../src/detect/auto-calibrator.js';
import { CalibratedDetector } from '../src/detect/calibrated-detector.js';
import { DETECT_DEFAULTS } from '../src/detect/config.js';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { RBC_DIAMETER_UM } from '../src/calibration/types.js';
import { BCCD_RBC_DIAMETER_PX } from '../src/track/scale.js';
import { typerPathOption } from '../src/cli/typer-option.js';
import { PRECISIONS, type Precision } from '../src/detect/precision.js';
import { describeHost } from '../src/cli/bench-stats.js';
import { availableParallelism } from 'node:os';

const W = 640;
const H = 480;
const DATA = process.env.LEUKOSCAN_DATA ?? join(process.cwd(), '..', 'shared', 'data');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function testIds(): Promise<string[]> {
  return (await readFile(join(DATA, 'bccd/ImageSets/Main/test.txt'), 'utf8')).split('\n').map((s) => s.trim()).filter(Boolean);
}

const image = (id: string) => join(DATA, 'bccd/JPEGImages', `${id}.jpg`);

/** One 640x480 frame at magnification m, starting from test image `k`. */
async function frameAt(ids: string[], k: number, m: number, seq: number): Promise<Frame> {
  let buf: Buffer;
  if (m >= 1) {
    const cw = Math.round(W / m);
    const ch = Math.round(H / m);
    // one resize per sharp pipeline (a second one replaces the first): fit the field first, then crop and enlarge
    const field = await sharp(image(ids[k % ids.length])).resize(W, H, { fit: 'fill' }).png().toBuffer();
    buf = await sharp(field).extract({ left: Math.floor((W - cw) / 2), top: Math.floor((H - ch) / 2), width: cw, height: ch }).resize(W, H, { fit: 'fill', kernel: 'linear' }).removeAlpha().raw().toBuffer();
  } else {
    const n = Math.ceil(1 / m);
    const tiles = await Promise.all(
      Array.from({ length: n * n }, async (_, i) => ({ input: await sharp(image(ids[(k + i) % ids.length])).resize(W, H, { fit: 'fill' }).toBuffer(), left: (i % n) * W, top: Math.floor(i / n) * H })),
    );
    const mosaic = await sharp({ create: { width: n * W, height: n * H, channels: 3, background: { r: 204, g: 206, b: 200 } } }).composite(tiles).png().toBuffer();
    buf = await sharp(mosaic).extract({ left: 0, top: 0, width: Math.round(W / m), height: Math.round(H / m) }).resize(W, H, { fit: 'fill', kernel: 'linear' }).removeAlpha().raw().toBuffer();
  }
  if (buf.length !== W * H * 3) throw new Error(`frame at x${m}: ${buf.length} bytes, expected ${W * H * 3}`);
  return { seq, timestampMs: seq, width: W, height: H, rgb: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = s.length >> 1;
  return s.length % 2 ? s[i] : (s[i - 1] + s[i]) / 2;
}

async function main(): Promise<void> {
  const frames = Number(arg('--frames') ?? 3);
  const mags = (arg('--mags') ?? '0.25,0.4,0.6,1,1.5').split(',').map(Number);
  const onlyAuto = process.argv.includes('--only-auto');
  const auto = onlyAuto || process.argv.includes('--auto');
  const ids = await testIds();
  const models = (arg('--models') ?? DETECT_DEFAULTS.modelPath).split(',');
  const precision = (arg('--precision') ?? 'auto') as Precision;
  if (!PRECISIONS.includes(precision)) throw new Error(`--precision must be one of ${PRECISIONS.join(', ')}`);
  const rows: string[] = [
    '| model | magnification | red cell px | mode | tiles | ms/frame p50 | ms/frame min | frames/s | leukocytes/frame | scale error |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const model of models) await benchModel(model, precision, ids, frames, mags, auto, onlyAuto, rows);
  process.stdout.write(`${rows.join('\n')}\n\nhost: ${describeHost(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''), availableParallelism())}; ${frames} frames per row, 640x480\n`);
}

async function benchModel(model: string, precision: Precision, ids: string[], frames: number, mags: number[], auto: boolean, onlyAuto: boolean, rows: string[]): Promise<void> {
  const onnx = await OnnxDetector.create({ modelPath: model, precision, typerPath: typerPathOption(undefined, model) });
  process.stderr.write(`tiling bench: ${onnx.describe()}\n`);
  const file = `${onnx.modelPath.split('/').at(-1)}`;
  const LEUKO = new Set(['NEU', 'LYM', 'MON', 'EOS', 'BAS']);
  try {
    // warm-up
    await onnx.detect(await frameAt(ids, 0, 1, 0));
    for (const m of mags) {
      const input = await Promise.all(Array.from({ length: frames }, (_, i) => frameAt(ids, i * 7, m, i)));
      const rbc = BCCD_RBC_DIAMETER_PX * m;
      const modes: { name: string; make: () => CalibratedDetector }[] = [];
      if (m === 1) modes.push({ name: 'off (today)', make: () => new CalibratedDetector({ inner: onnx, mode: 'off' }) });
      modes.push({ name: 'scale given', make: () => new CalibratedDetector({ inner: onnx, mode: 'off', umPerPx: RBC_DIAMETER_UM / rbc }) });
      // image by image, as `detect` does (the calibrator's warm-up is one frame)
      const calibrator = () => new AutoCalibrator({ perImage: true, reference: colourReferenceOf(onnx.card) });
      if (auto) modes.push({ name: 'auto', make: () => new CalibratedDetector({ inner: onnx, mode: 'auto', calibrator: calibrator(), perImage: true }) });
      if (onlyAuto) modes.splice(0, modes.length - 1);
      for (const mode of modes) {
        const d = mode.make();
        const ms: number[] = [];
        let leukocytes = 0;
        const errs: number[] = [];
        let tiles = 0;
        for (const f of input) {
          const t0 = performance.now();
          const det = await d.detect(f);
          ms.push(performance.now() - t0);
          for (let i = 0; i < det.classIds.length; i++) if (LEUKO.has(det.classNames[det.classIds[i]])) leukocytes++;
          const c = d.calibration;
          tiles = Math.max(tiles, c.plan?.tiles ?? 1);
          if (mode.name === 'auto') errs.push(c.scale === null ? Number.NaN : (c.scale.rbcDiameterPx / rbc - 1) * 100);
        }
        const err = errs.length === 0 ? '' : errs.map((e) => (Number.isNaN(e) ? 'none' : `${e >= 0 ? '+' : ''}${e.toFixed(0)}%`)).join(' ');
        const p50 = median(ms);
        rows.push(`| ${file} | x${m} | ${rbc.toFixed(1)} | ${mode.name} | ${tiles} | ${p50.toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ${(1000 / p50).toFixed(2)} | ${(leukocytes / input.length).toFixed(1)} | ${err} |`);
        process.stderr.write(`${rows.at(-1)}\n`);
      }
    }
  } finally {
    await onnx.release();
  }
}

await main();
