/**
 * Activation ranges for bench/quantize_int8.py: runs the augmented model
 * (extra outputs = every tensor to quantise) through onnxruntime-node on
 * BCCD trainval frames, pre-processed exactly as the detector does, and
 * records min/max per tensor.
 *
 *   npx tsx bench/calibrate-int8.ts AUG.onnx TENSORS.json RANGES.json --card models/<name>.json [--images 16]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { decodeImageFile } from '../src/detect/image-decode.js';
import { cardPathForModel, loadModelCard } from '../src/detect/model-card-loader.js';
import { preprocessRgb } from '../src/detect/preprocess.js';

const [augPath, tensorsPath, outPath] = process.argv.slice(2);
const flag = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const n = Number(flag('--images') ?? 16);
const card = await loadModelCard(flag('--card') ?? cardPathForModel('models/leukoscan-lite.onnx'));
const data = process.env.LEUKOSCAN_DATA ?? join('..', 'shared', 'data');
const ids = (await readFile(join(data, 'bccd/ImageSets/Main/trainval.txt'), 'utf8')).split('\n').filter(Boolean);
const { tensors } = JSON.parse(await readFile(tensorsPath, 'utf8')) as { tensors: string[] };
const session = await ort.InferenceSession.create(augPath, { graphOptimizationLevel: 'disabled' });
const ranges: Record<string, [number, number]> = {};
const step = Math.max(1, Math.floor(ids.length / n));
for (let k = 0; k < n; k++) {
  const frame = await decodeImageFile(join(data, 'bccd/JPEGImages', `${ids[k * step]}.jpg`));
  const x = preprocessRgb(frame, card);
  const out = await session.run({ images: new ort.Tensor('float32', x.data, [...x.dims]) }, tensors);
  for (const t of tensors) {
    const v = out[t].data as Float32Array;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      if (v[i] < lo) lo = v[i];
      if (v[i] > hi) hi = v[i];
    }
    const r = ranges[t];
    ranges[t] = r ? [Math.min(r[0], lo), Math.max(r[1], hi)] : [lo, hi];
  }
  process.stderr.write(`calibrated ${k + 1}/${n}\n`);
}
await session.release();
await writeFile(outPath, JSON.stringify({ images: n, ranges }));
