/**
 * The shipped int8 sibling (models/<name>.int8.onnx, bench/quantize-int8.sh)
 * against the float golden fixtures of training/export.py:
 *   1. the card's `int8` entry names this int8 file and the float file it was
 *      made from (hashes), so `--precision auto` will run it;
 *   2. end to end through OnnxDetector (worker, int8): every PyTorch (float)
 *      detection scoring >= STRONG is found with the same class, box IoU >=
 *      MIN_IOU and score within SCORE_TOL, and every int8 detection scoring
 *      >= STRONG is one of PyTorch's (score >= STRONG - SCORE_TOL).
 * Quantisation moves scores and boxes a little; the tolerances are about 3x
 * the measured worst case (see the numbers below).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../src/detect/file-hash.js';
import { decodeImageFile } from '../../src/detect/image-decode.js';
import { OnnxDetector } from '../../src/detect/onnx-detector.js';
import { flagsHaveVnni, int8PathFor } from '../../src/detect/precision.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN_ROOT = join(REPO, 'test', 'fixtures', 'golden');
const MODELS = join(REPO, 'models');
const STRONG = 0.3;
// 8-bit weights, measured on VNNI hosts (22 strong detections): lite v3 worst IoU 0.974, |score diff|
// 0.012; lite v4 0.970, 0.014: about 3x that.
// 7-bit weights (bench/quantize-int8.sh's default since 2026-12-07) have twice the weight step:
// measured on an AVX2-only EPYC (28 strong detections), worst IoU 0.927, |score diff| 0.045, with the
// file's BCCD test AP equal to float's (56.7 vs 56.6): the bound is about 1.4x that.
const TOLERANCE: Record<number, { minIou: number; scoreTol: number }> = { 8: { minIou: 0.93, scoreTol: 0.04 }, 7: { minIou: 0.9, scoreTol: 0.065 } };
// int8 parity is held where int8 runs: `--precision auto` picks the int8 file on a CPU with VNNI, or
// anywhere when its weights are 7-bit (src/detect/precision.ts). On an AVX2-only host onnxruntime's
// u8s8 kernels saturate with 8-bit weights (measured 2026-12-04 on an AVX2 EPYC: 81% of the strong
// detections matched), so there an 8-bit file is not run and its parity is not asked for.
const HOST_HAS_VNNI = flagsHaveVnni(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '');

interface GoldenDetections {
  score_threshold: number;
  top_k: number;
  detections: { box_xyxy: number[]; score: number; class_id: number }[];
}

function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const i = w * h;
  return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i);
}

const sets = existsSync(GOLDEN_ROOT)
  ? readdirSync(GOLDEN_ROOT).filter((n) => existsSync(join(MODELS, `${n}.int8.onnx`)))
  : [];

describe('shipped int8 models', () => {
  it('the default model ships an int8 sibling', () => {
    expect(sets).toContain('leukoscan-lite');
  });

  for (const name of sets) {
    describe(name, () => {
      const floatPath = join(MODELS, `${name}.onnx`);
      const int8Path = int8PathFor(floatPath);
      const card = JSON.parse(readFileSync(join(MODELS, `${name}.int8.json`), 'utf8')) as {
        name: string;
        onnx: { file: string; sha256: string };
        quantization: { sourceFile: string; sourceSha256: string; weightBits?: number };
        metrics: { bccd3?: Record<string, number> };
      };
      const { minIou: MIN_IOU, scoreTol: SCORE_TOL } = TOLERANCE[card.quantization.weightBits ?? 8];
      let detector: OnnxDetector;
      let golden: GoldenDetections;
      beforeAll(async () => {
        golden = JSON.parse(readFileSync(join(GOLDEN_ROOT, name, 'detections.json'), 'utf8')) as GoldenDetections;
        detector = await OnnxDetector.create({ modelPath: floatPath, precision: 'int8', device: 'cpu', scoreThreshold: 0.05, topK: golden.top_k });
      });
      afterAll(async () => {
        await detector?.release();
      });

      it('has its own card: this file, the float file it was made from, its BCCD test metrics', async () => {
        expect(card.onnx.file).toBe(`${name}.int8.onnx`);
        expect(card.onnx.sha256, 'int8 file changed since its card was written').toBe(await sha256File(int8Path));
        expect(card.quantization.sourceFile).toBe(`${name}.onnx`);
        expect(card.quantization.sourceSha256, 'float model re-exported: re-run npm run quantize:int8').toBe(await sha256File(floatPath));
        expect(card.metrics.bccd3?.AP, 'shipped int8 file not measured: run npm run quantize:int8 without --no-eval').toBeGreaterThan(0);
        // the int8 file costs at most 0.5 BCCD test AP against the float model's card (measured 56.7 vs 56.6)
        const floatMetrics = (JSON.parse(readFileSync(floatPath.replace(/\.onnx$/, '.json'), 'utf8')) as { metrics: { bccd3: Record<string, number> } }).metrics.bccd3;
        expect(card.metrics.bccd3!.AP).toBeGreaterThanOrEqual(floatMetrics.AP - 0.5);
        expect(detector.modelPath).toBe(int8Path);
        expect(detector.card.name).toBe(card.name);
      });

      it.skipIf(!HOST_HAS_VNNI && (card.quantization.weightBits ?? 8) > 7)(`finds PyTorch's float detections (score >= ${STRONG}: same class, IoU >= ${MIN_IOU}, score ±${SCORE_TOL}, for ${card.quantization.weightBits ?? 8}-bit weights) and no strong extra (on a CPU with VNNI, or with 7-bit weights: where --precision auto runs int8)`, async () => {
        const frame = await decodeImageFile(join(GOLDEN_ROOT, name, 'input.png'));
        const d = await detector.detect(frame);
        const box = (i: number) => d.boxes.subarray(i * 4, i * 4 + 4);
        let worstIou = 1;
        let worstScore = 0;
        const used = new Set<number>();
        for (const g of golden.detections.filter((x) => x.score >= STRONG)) {
          let best = -1;
          for (let i = 0; i < d.scores.length; i++) {
            if (used.has(i) || d.classIds[i] !== g.class_id) continue;
            if (best < 0 || iou(box(i), g.box_xyxy) > iou(box(best), g.box_xyxy)) best = i;
          }
          expect(best, `float detection ${JSON.stringify(g)} has no int8 match`).toBeGreaterThanOrEqual(0);
          used.add(best);
          worstIou = Math.min(worstIou, iou(box(best), g.box_xyxy));
          worstScore = Math.max(worstScore, Math.abs(d.scores[best] - g.score));
        }
        console.log(`${name} int8 vs PyTorch float: ${used.size} strong detections, worst IoU ${worstIou.toFixed(3)}, worst |score diff| ${worstScore.toFixed(3)}`);
        expect(worstIou).toBeGreaterThanOrEqual(MIN_IOU);
        expect(worstScore).toBeLessThanOrEqual(SCORE_TOL);
        for (let i = 0; i < d.scores.length; i++) {
          if (d.scores[i] < STRONG || used.has(i)) continue;
          const twin = golden.detections.some((g) => g.class_id === d.classIds[i] && g.score >= STRONG - SCORE_TOL && iou(box(i), g.box_xyxy) >= MIN_IOU);
          expect(twin, `int8 detection ${d.scores[i]} (class ${d.classIds[i]}) has no float twin`).toBe(true);
        }
      });
    });
  }
});
