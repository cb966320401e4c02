import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { DetectorReleasedError, OnnxDetector } from '../../src/detect/onnx-detector.js';
import { cudaProviderLibraryPath } from '../../src/detect/session.js';
import { FIXTURES, tempDir, TINY_MODEL, tinyModelCopy } from './helpers.js';

interface TinyGolden {
  rgb: { width: number; height: number; data: number[] };
  postprocess: { topK: number; scores: number[]; labels: number[]; boxesXyxyPixels: number[] };
}

const hasCuda = existsSync(cudaProviderLibraryPath());
const frameOf = (width: number, height: number, rgb: Uint8Array, seq = 0): Frame => ({ seq, timestampMs: 0, width, height, rgb });

describe('OnnxDetector (tiny random-weight fixture model)', () => {
  let golden: TinyGolden;
  let detector: OnnxDetector;

  beforeAll(async () => {
    golden = JSON.parse(await readFile(join(FIXTURES, 'tiny-detr.golden.json'), 'utf8')) as TinyGolden;
    detector = await OnnxDetector.create({ modelPath: TINY_MODEL, device: 'cpu', scoreThreshold: 0, topK: golden.postprocess.topK, intraOpThreads: 1 });
  });
  afterAll(async () => {
    await detector.release();
  });

  it('runs on the CPU provider when asked, and says so', () => {
    expect(detector.provider).toEqual({ name: 'cpu', reason: 'requested (--device cpu)' });
    expect(detector.card.name).toBe('tiny-detr');
  });

  // End to end in the worker: RGB -> normalise -> ORT -> sigmoid/top-k -> xyxy pixels,
  // against PyTorch's forward + Deformable-DETR PostProcess of the same frame.
  it('matches PyTorch end to end on the golden frame (scores atol 1e-4, boxes atol 1e-2 px)', async () => {
    const { width, height, data } = golden.rgb;
    const d = await detector.detect(frameOf(width, height, Uint8Array.from(data)));
    expect(d.scores.length).toBe(golden.postprocess.topK);
    expect(Array.from(d.classIds)).toEqual(golden.postprocess.labels);
    for (let i = 0; i < d.scores.length; i++) expect(Math.abs(d.scores[i] - golden.postprocess.scores[i])).toBeLessThan(1e-4);
    for (let i = 0; i < d.boxes.length; i++) expect(Math.abs(d.boxes[i] - golden.postprocess.boxesXyxyPixels[i])).toBeLessThan(1e-2);
  });

  it('returns boxes in the pixels of a frame of any size (stretch resize undone)', async () => {
    const { width, height, data } = golden.rgb;
    // Same content at 2x by nearest-neighbour; scale of boxes must follow.
    const big = new Uint8Array(width * 2 * height * 2 * 3);
    for (let y = 0; y < height * 2; y++)
      for (let x = 0; x < width * 2; x++)
        for (let c = 0; c < 3; c++) big[(y * width * 2 + x) * 3 + c] = data[(Math.floor(y / 2) * width + Math.floor(x / 2)) * 3 + c];
    const d = await detector.detect(frameOf(width * 2, height * 2, big));
    expect([d.imageWidth, d.imageHeight]).toEqual([width * 2, height * 2]);
    // Top box should be close to 2x the golden top box (resampling changes the input slightly)
    for (let i = 0; i < 4; i++) expect(d.boxes[i] / 2).toBeCloseTo(golden.postprocess.boxesXyxyPixels[i], -1);
  });

  it('answers concurrent frames each with its own result', async () => {
    const { width, height } = golden.rgb;
    const frames = [0, 50, 200].map((v, i) => frameOf(width, height, new Uint8Array(width * height * 3).fill(v), i));
    const all = await Promise.all(frames.map((f) => detector.detectTimed(f)));
    const alone = await detector.detect(frames[1]);
    expect(Array.from(all[1].detections.scores)).toEqual(Array.from(alone.scores));
    expect(all[0].timings.inferMs).toBeGreaterThan(0);
  });

  it('BAD INPUT - frame with the wrong number of bytes is refused before the worker', async () => {
    await expect(detector.detect(frameOf(64, 48, new Uint8Array(10)))).rejects.toThrow('frame: expected 9216 RGB bytes for 64x48, got 10');
  });

  it('does not take the caller\'s frame buffer away', async () => {
    const rgb = new Uint8Array(64 * 48 * 3).fill(9);
    await detector.detect(frameOf(64, 48, rgb));
    expect(rgb.length).toBe(64 * 48 * 3);
    expect(rgb[0]).toBe(9);
  });
});

describe('OnnxDetector lifecycle and failures', () => {
  // On a machine with the CUDA provider installed these two do not apply.
  it.skipIf(hasCuda)('auto falls back to CPU here and says why', async () => {
    const d = await OnnxDetector.create({ modelPath: TINY_MODEL, device: 'auto' });
    try {
      // This machine has no CUDA provider installed (.npmrc skips it).
      expect(d.provider.name).toBe('cpu');
      expect(d.provider.reason).toMatch(/^auto: CUDA unavailable \(.+\); using CPU$/);
    } finally {
      await d.release();
    }
  });

  it('release() is idempotent and later detect() rejects', async () => {
    const d = await OnnxDetector.create({ modelPath: TINY_MODEL, device: 'cpu' });
    await Promise.all([d.release(), d.release()]);
    await d.release();
    await expect(d.detect(frameOf(64, 48, new Uint8Array(64 * 48 * 3)))).rejects.toBeInstanceOf(DetectorReleasedError);
  });

  it('release() rejects frames still in flight', async () => {
    const d = await OnnxDetector.create({ modelPath: TINY_MODEL, device: 'cpu' });
    const pending = d.detect(frameOf(64, 48, new Uint8Array(64 * 48 * 3))).catch((e: unknown) => e);
    await d.release();
    expect(await pending).toBeInstanceOf(DetectorReleasedError);
  });

  it('release() while several frames are queued waits for the worker, never disposing a session mid-run', async () => {
    for (let round = 0; round < 3; round++) {
      const d = await OnnxDetector.create({ modelPath: TINY_MODEL, device: 'cpu' });
      const pending = Array.from({ length: 5 }, () => d.detect(frameOf(64, 48, new Uint8Array(64 * 48 * 3))).catch((e: unknown) => e));
      await d.release();
      for (const p of await Promise.all(pending)) expect(p).toBeInstanceOf(DetectorReleasedError);
    }
  });

  it('MISSING MODEL - names the file', async () => {
    const file = join(await tempDir(), 'absent.onnx');
    await expect(OnnxDetector.create({ modelPath: file })).rejects.toThrow(`Model ${file}: not found`);
  });

  it('MISSING CARD - names the card file', async () => {
    const dir = await tempDir();
    const model = join(dir, 'lonely.onnx');
    await writeFile(model, await readFile(TINY_MODEL));
    await expect(OnnxDetector.create({ modelPath: model })).rejects.toThrow(`Model card ${join(dir, 'lonely.json')}: not found`);
  });

  it('CORRUPT MODEL - garbage bytes, names the file', async () => {
    const model = await tinyModelCopy();
    await writeFile(model, 'not an onnx model at all');
    await expect(OnnxDetector.create({ modelPath: model, device: 'cpu' })).rejects.toThrow(
      new RegExp(`^Model ${model}: cannot be loaded by onnxruntime`),
    );
  });

  it('TRUNCATED MODEL - names the file', async () => {
    const model = await tinyModelCopy();
    const bytes = await readFile(TINY_MODEL);
    await writeFile(model, bytes.subarray(0, 5000));
    await expect(OnnxDetector.create({ modelPath: model, device: 'cpu' })).rejects.toThrow(new RegExp(`^Model ${model}: cannot be loaded`));
  });

  it('CARD DISAGREES WITH MODEL - input size', async () => {
    const model = await tinyModelCopy((c) => {
      c.input = { width: 640, height: 480 };
    });
    await expect(OnnxDetector.create({ modelPath: model, device: 'cpu' })).rejects.toThrow(
      `Model ${model}: input 'images' is [1, 3, 48, 64] but the card says [N, 3, 480, 640]`,
    );
  });

  it('CARD DISAGREES WITH MODEL - output name', async () => {
    const model = await tinyModelCopy((c) => {
      c.outputs = { logits: 'pred_logits', boxes: 'boxes', boxConvention: 'cxcywh-normalised' };
    });
    await expect(OnnxDetector.create({ modelPath: model, device: 'cpu' })).rejects.toThrow(`Model ${model}: has no output 'pred_logits'`);
  });

  it('CARD DISAGREES WITH MODEL - class count, reported per frame', async () => {
    const model = await tinyModelCopy((c) => {
      c.classes = ['WBC', 'RBC', 'Platelets'];
    });
    const d = await OnnxDetector.create({ modelPath: model, device: 'cpu' });
    try {
      await expect(d.detect(frameOf(64, 48, new Uint8Array(64 * 48 * 3)))).rejects.toThrow(/'logits' is \[1, 12, 7\], expected \[1, Q, 3\]/);
    } finally {
      await d.release();
    }
  });

  it.skipIf(hasCuda)('NO CUDA - --device cuda fails with a pointer to docs/gpu.md', async () => {
    await expect(OnnxDetector.create({ modelPath: TINY_MODEL, device: 'cuda' })).rejects.toThrow(/cannot use CUDA: .*docs\/gpu\.md/);
  });
});
