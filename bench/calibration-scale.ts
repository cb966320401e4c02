/**
 * Scale estimator accuracy on BCCD fields: the estimate against the median sqrt(w*h) of the
 * annotated RBC boxes, on the fields themselves and rescaled (x0.15 ... x2, 640x480 frames;
 * mosaics below x1), with the time per frame.
 *
 *   npx tsx bench/calibration-scale.ts [--split test|trainval] [--limit N] [--mags 0.15,0.25,...]
 *       [--size 640x480] [--data DIR] [--fit-bias] [--why]
 *
 * --why lists the refusal reasons under each row.
 *
 * --detector also runs the shipped detector, calibrated image by image as `leukoscan detect` does
 * (the core's estimate, then the detected red cells as a ruler: src/detect/tiling/rbc-ruler.ts),
 * and gives the error of the scale it ends with, and its wall ms per frame.
 *
 * --fit-bias prints the box bias that makes the median ratio 1 over every frame of every
 * magnification (fit it on trainval only).
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { estimateScale } from '../src/calibration/scale.js';
import { DEFAULT_SCALE_CONFIG } from '../src/calibration/config.js';
import { dataRoot } from '../src/sim/bccd.js';
import { calibratedDetector } from '../src/cli/calibration-options.js';
import { DETECT_DEFAULTS } from '../src/detect/config.js';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { typerPathOption } from '../src/cli/typer-option.js';
import { bccdAvailable, loadRbcField, median, rescaledFrame, splitIds, type RbcField } from './calibration/bccd-rbc-fields.js';

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'test' },
    limit: { type: 'string', default: '24' },
    mags: { type: 'string', default: '0.15,0.25,0.4,0.6,1,1.5,2' },
    size: { type: 'string', default: '640x480' },
    data: { type: 'string' },
    'fit-bias': { type: 'boolean', default: false },
    why: { type: 'boolean', default: false },
    detector: { type: 'boolean', default: false },
  },
});
const root = dataRoot(values.data);
if (!bccdAvailable(root)) {
  console.error(`BCCD not found under ${root}`);
  process.exit(66);
}
const [W, H] = (values.size as string).split('x').map(Number);
const ids = (await splitIds(root, values.split as 'test' | 'trainval')).slice(0, Number(values.limit));
const fields: RbcField[] = [];
for (const id of ids) {
  const f = await loadRbcField(root, id);
  if (f.rbcSizes.length > 0) fields.push(f);
}
console.log(`split ${values.split}, ${fields.length} fields with RBC boxes, frame ${W}x${H}, boxBias ${DEFAULT_SCALE_CONFIG.boxBias}`);
const onnx = values.detector ? await OnnxDetector.create({ modelPath: DETECT_DEFAULTS.modelPath, typerPath: typerPathOption(undefined, DETECT_DEFAULTS.modelPath) }) : null;
// as `leukoscan detect --calibration auto` builds it (colour applied, calibrated image by image)
const detector = onnx === null ? null : await calibratedDetector(onnx, { calibration: 'auto' }, { perImage: true });
if (onnx !== null) console.log(`detector: ${onnx.describe()}`);
const detHead = detector === null ? '' : ' detector+ruler: median error % | mean |error| % | max |error| % | within ±10% | no scale | wall ms/frame p50 |';
console.log(`| mag | frames | expected px (median) | median error % | mean |error| % | max |error| % | within ±10% | refused | CPU ms/frame p50 |${detHead}`);
console.log(`|---|---|---|---|---|---|---|---|---|${detector === null ? '' : '---|---|---|---|---|---|'}`);
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const ratios: number[] = [];
for (const mag of (values.mags as string).split(',').map(Number)) {
  const errs: number[] = [];
  const ms: number[] = [];
  let refused = 0;
  const expected: number[] = [];
  const reasons = new Map<string, number>();
  const detErrs: number[] = [];
  const detMs: number[] = [];
  let detNone = 0;
  const per = mag < 1 ? Math.ceil(W / Math.round(640 * mag)) * Math.ceil(H / Math.round(480 * mag)) : 1;
  for (let i = 0; i < fields.length; i++) {
    const group = Array.from({ length: per }, (_, k) => fields[(i + k) % fields.length]);
    const frame = mag === 1 && W === 640 && H === 480 ? { ...fields[i], expectedDiameterPx: median(fields[i].rbcSizes) } : await rescaledFrame(group, mag, W, H, i % 4);
    const c0 = process.cpuUsage();
    const r = estimateScale(frame.rgb, frame.width, frame.height);
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000); // CPU time: less distorted than wall time on a shared machine
    if (!r.ok) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    expected.push(frame.expectedDiameterPx);
    if (detector !== null) {
      const t0 = performance.now();
      await detector.detect({ seq: i, timestampMs: i, width: frame.width, height: frame.height, rgb: frame.rgb });
      detMs.push(performance.now() - t0);
      const s = detector.calibration.scale;
      if (s === null) detNone++;
      else detErrs.push((s.rbcDiameterPx / frame.expectedDiameterPx - 1) * 100);
    }
    if (!r.ok) {
      refused++;
      continue;
    }
    errs.push((r.estimate.rbcDiameterPx / frame.expectedDiameterPx - 1) * 100);
    ratios.push(frame.expectedDiameterPx / r.estimate.rbcDiameterPx);
  }
  const abs = errs.map(Math.abs);
  const dAbs = detErrs.map(Math.abs);
  const det = detector === null ? '' : ` ${f1(median(detErrs))} | ${f1(dAbs.reduce((a, b) => a + b, 0) / dAbs.length)} | ${f1(Math.max(...dAbs))} | ${dAbs.filter((e) => e <= 10).length}/${fields.length} | ${detNone} | ${f1(median(detMs))} |`;
  console.log(
    `| ×${mag} | ${fields.length} | ${f1(median(expected))} | ${f1(median(errs))} | ${f1(abs.reduce((a, b) => a + b, 0) / abs.length)} | ${f1(Math.max(...abs))} | ${abs.filter((e) => e <= 10).length}/${fields.length} | ${refused} | ${f1(median(ms))} |${det}`,
  );
  if (values.why) for (const [why, n] of reasons) console.log(`    ${n} x ${why}`);
}
if (values['fit-bias'] && ratios.length > 0) console.log(`fitted boxBias = ${(DEFAULT_SCALE_CONFIG.boxBias * median(ratios)).toFixed(4)} (median expected/estimate over all ${ratios.length} estimated frames, all magnifications)`);
await detector?.release();
