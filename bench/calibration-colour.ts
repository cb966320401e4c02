/**
 * Colour calibration on simulated devices: BCCD test fields under the colour profiles of
 * src/colour/device-profiles.ts, corrected by the live normaliser's white balance
 * ('wb', src/colour) and by the device colour fit (white balance on the plasma, then
 * Reinhard on the cells only: src/calibration/colour-fit.ts). Mean CIE76 ΔE to the
 * original pixels, on cell pixels and on plasma pixels apart (the original's OD/Otsu split).
 * Stain normalisation pulls every field toward the training set's pooled cell colour, so it is
 * not 0 on the reference profile either.
 *
 *   npx tsx bench/calibration-colour.ts [--limit N] [--data DIR] [--model models/leukoscan-lite.onnx]
 */
import { parseArgs } from 'node:util';
import { cardPathForModel, loadModelCard } from '../src/detect/model-card-loader.js';
import { DETECT_DEFAULTS } from '../src/detect/config.js';
import { applyColourTransform } from '../src/calibration/apply-colour.js';
import { segmentCells } from '../src/calibration/cell-segmentation.js';
import { fitColourTransform } from '../src/calibration/colour-fit.js';
import { srgbToLab } from '../src/colour/lab.js';
import { ColourNormaliser } from '../src/colour/normaliser.js';
import { DEVICE_PROFILES, applyDeviceProfile } from '../src/colour/device-profiles.js';
import { dataRoot } from '../src/sim/bccd.js';
import { bccdAvailable, loadRbcField, splitIds } from './calibration/bccd-rbc-fields.js';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '24' }, data: { type: 'string' }, model: { type: 'string', default: DETECT_DEFAULTS.modelPath } } });
const root = dataRoot(values.data);
if (!bccdAvailable(root)) {
  console.error(`BCCD not found under ${root}`);
  process.exit(66);
}
const card = await loadModelCard(cardPathForModel(values.model as string));
const ids = (await splitIds(root, 'test')).slice(0, Number(values.limit));
const fields = await Promise.all(ids.map((id) => loadRbcField(root, id)));

/** Mean ΔE76 between a and b over pixels where pick(p) (every 3rd pixel). */
function deltaE(a: Uint8Array, b: Uint8Array, pick: (p: number) => boolean): number {
  const la = [0, 0, 0];
  const lb = [0, 0, 0];
  let s = 0;
  let n = 0;
  for (let p = 0; p < a.length / 3; p += 3) {
    if (!pick(p)) continue;
    srgbToLab(a[p * 3], a[p * 3 + 1], a[p * 3 + 2], la);
    srgbToLab(b[p * 3], b[p * 3 + 1], b[p * 3 + 2], lb);
    s += Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
    n++;
  }
  return s / n;
}

console.log(`BCCD test, ${fields.length} fields; mean ΔE76 to the original (cells / plasma)`);
console.log('| profile | none | wb (live normaliser) | cells-Reinhard (device fit) |');
console.log('|---|---|---|---|');
for (const profile of DEVICE_PROFILES) {
  const acc = { none: [0, 0], wb: [0, 0], fit: [0, 0] };
  for (const f of fields) {
    const frame = { seq: 0, timestampMs: 0, width: f.width, height: f.height, rgb: f.rgb };
    const seg = segmentCells(f.rgb, f.width, f.height);
    const isCell = (p: number) => seg.od[p] > seg.otsu.threshold;
    const isPlasma = (p: number) => !isCell(p);
    const dev = applyDeviceProfile(frame, profile).rgb;
    const wb = new ColourNormaliser(card.colourReference, { mode: 'wb' });
    wb.observe({ ...frame, rgb: dev });
    const wbOut = wb.apply({ ...frame, rgb: dev }).rgb;
    const fitOut = applyColourTransform(dev, fitColourTransform(dev, f.width, f.height, { field: { kind: 'full' }, reference: card.colourReference }));
    for (const [k, img] of [['none', dev], ['wb', wbOut], ['fit', fitOut]] as const) {
      acc[k][0] += deltaE(f.rgb, img, isCell) / fields.length;
      acc[k][1] += deltaE(f.rgb, img, isPlasma) / fields.length;
    }
  }
  const cell = (v: number[]) => `${v[0].toFixed(1)} / ${v[1].toFixed(1)}`;
  console.log(`| ${profile.name} | ${cell(acc.none)} | ${cell(acc.wb)} | ${cell(acc.fit)} |`);
}
