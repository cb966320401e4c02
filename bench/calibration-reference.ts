/**
 * Reference values for the model cards, measured on BCCD trainval (the training views):
 *  - trainingScale: median sqrt(w*h) of the annotated RBC boxes at model input size (the
 *    512x384 stretch of the 640x480 fields), and the scale estimator's median on the same fields;
 *  - colourReference.cellLabMean / cellLabStd: L*a*b* of the cell pixels (OD above Otsu's
 *    threshold, cell-segmentation.ts, the rule the colour fit uses on a camera), pooled.
 *
 *   npx tsx bench/calibration-reference.ts [--data DIR] [--limit N] [--input 512x384] [--json out.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { segmentCells } from '../src/calibration/cell-segmentation.js';
import { labStatsOf } from '../src/calibration/colour-fit.js';
import { estimateScale } from '../src/calibration/scale.js';
import { dataRoot } from '../src/sim/bccd.js';
import { bccdAvailable, loadRbcField, median, splitIds } from './calibration/bccd-rbc-fields.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, limit: { type: 'string' }, input: { type: 'string', default: '512x384' }, json: { type: 'string' } },
});
const root = dataRoot(values.data);
if (!bccdAvailable(root)) {
  console.error(`BCCD not found under ${root}`);
  process.exit(66);
}
const [IW, IH] = (values.input as string).split('x').map(Number);
let ids = await splitIds(root, 'trainval');
if (values.limit) ids = ids.slice(0, Number(values.limit));
const boxes: number[] = [];
const estimates: number[] = [];
let refused = 0;
const sum = [0, 0, 0];
const sq = [0, 0, 0];
let n = 0;
for (const id of ids) {
  const f = await loadRbcField(root, id);
  const sx = IW / f.width;
  const sy = IH / f.height;
  for (const s of f.rbcSizes) boxes.push(s * Math.sqrt(sx * sy));
  const seg = segmentCells(f.rgb, f.width, f.height);
  const st = labStatsOf(f.rgb, f.width, f.height, (p) => seg.od[p] > seg.otsu.threshold, [1, 1, 1], 2);
  for (let c = 0; c < 3; c++) {
    sum[c] += st.mean[c] * st.n;
    sq[c] += (st.std[c] ** 2 + st.mean[c] ** 2) * st.n;
  }
  n += st.n;
  const small = await sharp(Buffer.from(f.rgb), { raw: { width: f.width, height: f.height, channels: 3 } }).resize(IW, IH, { fit: 'fill' }).raw().toBuffer();
  const r = estimateScale(new Uint8Array(small), IW, IH);
  if (r.ok) estimates.push(r.estimate.rbcDiameterPx);
  else refused++;
}
const mean = sum.map((s) => s / n);
const std = sq.map((s, c) => Math.sqrt(s / n - mean[c] ** 2));
const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
const out = {
  images: ids.length,
  trainingScale: {
    rbcDiameterPx: round(median(boxes), 2),
    source: `median sqrt(w*h) of ${boxes.length} annotated RBC boxes of BCCD trainval (${ids.length} images) at model input ${IW}x${IH}; the scale estimator (${'od-otsu-boolean-covariance'}) gives a median of ${round(median(estimates), 1)} px on the same views (${estimates.length} estimated, ${refused} refused)`,
  },
  cellLabMean: mean.map((v) => round(v)),
  cellLabStd: std.map((v) => round(v)),
  cellSource: `L*a*b* of cell pixels (OD above Otsu's threshold, src/calibration/cell-segmentation.ts) of BCCD trainval (${ids.length} images, every 2nd pixel), pooled`,
};
console.log(JSON.stringify(out, null, 2));
if (values.json) await writeFile(values.json, JSON.stringify(out, null, 2) + '\n');
