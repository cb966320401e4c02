/**
 * The leukocyte typer: the crop rule (twin of training/typer/crops.py), the
 * re-typing, and parity with PyTorch on the golden fixtures that
 * `python3 -m training.typer.export` writes to test/fixtures/golden-typer/<name>/:
 *   input.png   a fixed 640x480 frame
 *   typer.json  boxes, the crop squares Python cut, the crops' pixel sums and PyTorch's logits
 * Then end to end: the detector with the typer keeps the detector's boxes and
 * scores and changes only leukocyte types, to the typer's argmax.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TyperCard } from '../../src/core/model-card.js';
import { gatherBoxes } from '../../src/detect/boxes.js';
import { decodeImageFile } from '../../src/detect/image-decode.js';
import { cardPathForModel } from '../../src/detect/model-card-loader.js';
import { OnnxDetector } from '../../src/detect/onnx-detector.js';
import { resizeRgbPilBilinear } from '../../src/detect/resize-pil.js';
import { leukocyteIndices, retype } from '../../src/detect/retype.js';
import { loadTyperCard } from '../../src/detect/typer-card.js';
import { typerPathOption } from '../../src/cli/typer-option.js';
import { cropSquare, cutSquare, typerInput } from '../../src/detect/typer-crop.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN_ROOT = join(REPO, 'test', 'fixtures', 'golden-typer');
const MODELS = join(REPO, 'models');
const LOGITS_ATOL = 1e-3;

describe('cropSquare (the typer crop rule)', () => {
  const cases: { name: string; box: [number, number, number, number]; w: number; h: number; pad: number; want: [number, number, number] }[] = [
    { name: 'inside: centred square, side max(w, h) * 1.15 rounded', box: [100, 100, 200, 180], w: 640, h: 480, pad: 0.15, want: [93, 83, 115] },
    { name: 'left edge: shifted inside, not padded', box: [-10, 100, 50, 160], w: 640, h: 480, pad: 0.15, want: [0, 96, 69] },
    { name: 'bottom-right corner: shifted inside', box: [600, 440, 650, 490], w: 640, h: 480, pad: 0.15, want: [583, 423, 57] },
    { name: 'larger than the frame: side = shorter frame side', box: [0, 0, 700, 500], w: 640, h: 480, pad: 0.15, want: [110, 0, 480] },
    { name: 'half-pixel centre rounds up, as Python floor(v + 0.5)', box: [10.5, 10, 20.5, 20], w: 100, h: 100, pad: 0, want: [11, 10, 10] },
    { name: 'degenerate box: at least 2 px', box: [5, 5, 5, 5], w: 100, h: 100, pad: 0.15, want: [4, 4, 2] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sq = cropSquare(c.box, c.w, c.h, c.pad);
      expect([sq.x0, sq.y0, sq.side]).toEqual(c.want);
    });
  }
});

describe('retype', () => {
  const names = ['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'RBC', 'Platelets'];
  const typer = { classes: ['NEU', 'LYM', 'MON', 'EOS', 'BAS'] };
  it('re-types only leukocytes, to the argmax type', () => {
    const ids = Int32Array.from([0, 5, 3, 6]);
    const idx = leukocyteIndices(ids, names, typer);
    expect(idx).toEqual([0, 2]);
    const logits = Float32Array.from([0, 0, 0, 3, 0, /* second */ 5, 1, 1, 1, 1]);
    expect(Array.from(retype(ids, idx, logits, names, typer))).toEqual([3, 5, 0, 6]);
    expect(Array.from(ids)).toEqual([0, 5, 3, 6]); // input untouched
  });
  it('BAD OUTPUT - a logits count that does not match the crops is an error', () => {
    expect(() => retype(Int32Array.from([0]), [0], new Float32Array(4), names, typer)).toThrow(/4 logits for 1 crops x 5 types/);
  });
});

describe('typer card and model errors', () => {
  it('BAD INPUT - a missing typer card names the file', async () => {
    await expect(loadTyperCard('/nonexistent/leukoscan-typer.json')).rejects.toThrow(/\/nonexistent\/leukoscan-typer.json: not found/);
  });
  it('BAD INPUT - a detector card is not a typer card', async () => {
    await expect(loadTyperCard(join(MODELS, 'leukoscan-lite.json'))).rejects.toThrow(/invalid typer card: .*kind/);
  });
  it('BAD INPUT - a missing typer model is a clear error, not a silent fallback', async () => {
    await expect(
      OnnxDetector.create({ modelPath: join(MODELS, 'leukoscan-lite.onnx'), device: 'cpu', typerPath: '/nonexistent/typer.onnx' }),
    ).rejects.toThrow(/\/nonexistent\/typer.onnx.*typer not found/);
  });
});

describe('--typer [file] / --no-typer', () => {
  it('absent: the typer beside the model when present; bare: it, required; --no-typer: none; a path: that path', () => {
    const beside = join('models', 'leukoscan-typer.onnx');
    expect(typerPathOption(undefined, 'models/x.onnx', () => true)).toBe(beside);
    expect(typerPathOption(undefined, 'models/x.onnx', () => false)).toBeNull();
    expect(typerPathOption(true, 'models/x.onnx', () => false)).toBe(beside);
    expect(typerPathOption(false, 'models/x.onnx', () => true)).toBeNull();
    expect(typerPathOption('a/t.onnx', 'models/x.onnx')).toBe('a/t.onnx');
  });
});

const sets = existsSync(GOLDEN_ROOT) ? readdirSync(GOLDEN_ROOT).filter((n) => existsSync(join(GOLDEN_ROOT, n, 'typer.json'))) : [];

describe('typer golden parity', () => {
  it('golden fixtures exist for the shipped typer', () => {
    expect(sets.length, `no golden sets in ${GOLDEN_ROOT} (run python3 -m training.typer.export)`).toBeGreaterThan(0);
  });

  for (const name of sets) {
    describe(name, () => {
      const modelPath = join(MODELS, `${name}.onnx`);
      let card: TyperCard;
      let golden: { boxes_xyxy: number[][]; squares: number[][]; crop_sums: number[]; logits: number[][] };
      let frame: Awaited<ReturnType<typeof decodeImageFile>>;
      beforeAll(async () => {
        expect(existsSync(modelPath), `${modelPath} missing for golden set ${name}`).toBe(true);
        card = await loadTyperCard(cardPathForModel(modelPath));
        golden = JSON.parse(readFileSync(join(GOLDEN_ROOT, name, 'typer.json'), 'utf8'));
        frame = await decodeImageFile(join(GOLDEN_ROOT, name, 'input.png'));
      });

      it('crop squares and crop pixels equal Python\'s', () => {
        golden.boxes_xyxy.forEach((b, i) => {
          const sq = cropSquare(b as [number, number, number, number], frame.width, frame.height, card.crop.pad);
          expect([sq.x0, sq.y0, sq.side]).toEqual(golden.squares[i]);
          const crop = resizeRgbPilBilinear(cutSquare(frame, sq), card.input.width, card.input.height);
          expect(crop.rgb.reduce((a, v) => a + v, 0)).toBe(golden.crop_sums[i]);
        });
      });

      it(`ORT logits match PyTorch (atol ${LOGITS_ATOL})`, async () => {
        const s = card.input.width;
        const x = typerInput(frame, Float32Array.from(golden.boxes_xyxy.flat()), card);
        const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
        try {
          const out = await session.run({ images: new ort.Tensor('float32', x, [golden.boxes_xyxy.length, 3, s, s]) });
          const got = out[card.outputs.logits].data as Float32Array;
          golden.logits.flat().forEach((v, i) => expect(Math.abs(got[i] - v), `logit ${i}`).toBeLessThanOrEqual(LOGITS_ATOL));
        } finally {
          await session.release();
        }
      });
    });
  }
});

describe('detector with the typer (worker, end to end)', () => {
  const detectorPath = join(MODELS, 'leukoscan-lite.onnx');
  const typerPath = join(MODELS, 'leukoscan-typer.onnx');
  let withTyper: OnnxDetector;
  let without: OnnxDetector;
  beforeAll(async () => {
    withTyper = await OnnxDetector.create({ modelPath: detectorPath, device: 'cpu', typerPath, scoreThreshold: 0.05 });
    without = await OnnxDetector.create({ modelPath: detectorPath, device: 'cpu', typerPath: null, scoreThreshold: 0.05 });
  });
  afterAll(async () => {
    await withTyper?.release();
    await without?.release();
  });

  it('keeps boxes and scores, changes only leukocyte types, to the typer\'s argmax', async () => {
    const frame = await decodeImageFile(join(REPO, 'test', 'fixtures', 'golden', 'leukoscan-lite', 'input.png'));
    expect(withTyper.typer?.modelPath).toBe(typerPath);
    expect(without.typer).toBeNull();
    const a = await withTyper.detectTimed(frame);
    const b = await without.detectTimed(frame);
    expect(Array.from(a.detections.boxes)).toEqual(Array.from(b.detections.boxes));
    expect(Array.from(a.detections.scores)).toEqual(Array.from(b.detections.scores));
    const names = withTyper.card.classes;
    const idx = leukocyteIndices(b.detections.classIds, names, withTyper.typer!.card);
    expect(idx.length, 'the golden frame should hold leukocyte detections').toBeGreaterThan(0);
    for (let i = 0; i < b.detections.classIds.length; i++) {
      if (!idx.includes(i)) expect(a.detections.classIds[i]).toBe(b.detections.classIds[i]);
    }
    // the typer's own verdict on the same crops
    const s = withTyper.typer!.card.input.width;
    const x = typerInput(frame, gatherBoxes(a.detections.boxes, idx), withTyper.typer!.card);
    const session = await ort.InferenceSession.create(typerPath, { executionProviders: ['cpu'] });
    try {
      const out = await session.run({ images: new ort.Tensor('float32', x, [idx.length, 3, s, s]) });
      const want = retype(b.detections.classIds, idx, out.logits.data as Float32Array, names, withTyper.typer!.card);
      expect(Array.from(a.detections.classIds)).toEqual(Array.from(want));
    } finally {
      await session.release();
    }
    expect(a.timings.typeMs).toBeGreaterThan(0);
    expect(b.timings.typeMs).toBe(0);
  });
});
