/**
 * The typer's crop rule, twin of training/typer/crops.py (pure, integer
 * pixels): a square centred on the box, side round(max(w, h) * (1 + pad)),
 * at most the frame's shorter side and shifted inside the frame, then resized
 * to the typer's input with Pillow's bilinear filter and normalised.
 */
import type { TyperCard } from '../core/model-card.js';
import type { RgbImage } from './preprocess.js';
import { normaliseToNchw } from './preprocess.js';
import { resizeRgbPilBilinear } from './resize-pil.js';

/** Python's floor(v + 0.5) (not banker's rounding), as the Python side. */
function roundHalfUp(v: number): number {
  return Math.floor(v + 0.5);
}

export interface CropSquare {
  readonly x0: number;
  readonly y0: number;
  readonly side: number;
}

/** box xyxy pixels in a width x height frame -> the crop square. */
export function cropSquare(box: readonly [number, number, number, number], width: number, height: number, pad: number): CropSquare {
  const [x1, y1, x2, y2] = box;
  let side = roundHalfUp(Math.max(x2 - x1, y2 - y1) * (1 + pad));
  side = Math.max(2, Math.min(side, width, height));
  const x0 = roundHalfUp(Math.min(Math.max((x1 + x2) / 2 - side / 2, 0), width - side));
  const y0 = roundHalfUp(Math.min(Math.max((y1 + y2) / 2 - side / 2, 0), height - side));
  return { x0, y0, side };
}

/** Copies the square out of the frame (it lies inside by construction). */
export function cutSquare(img: RgbImage, sq: CropSquare): RgbImage {
  const rgb = new Uint8Array(sq.side * sq.side * 3);
  for (let y = 0; y < sq.side; y++) {
    const src = ((sq.y0 + y) * img.width + sq.x0) * 3;
    rgb.set(img.rgb.subarray(src, src + sq.side * 3), y * sq.side * 3);
  }
  return { width: sq.side, height: sq.side, rgb };
}

/**
 * The typer's input for boxes of one frame: [n, 3, S, S] float32, crops
 * normalised as the card says. boxes: [n * 4] xyxy pixels of `img`.
 */
export function typerInput(img: RgbImage, boxes: Float32Array, card: Pick<TyperCard, 'input' | 'crop' | 'mean' | 'std'>): Float32Array {
  const n = boxes.length / 4;
  const { width: s } = card.input;
  const out = new Float32Array(n * 3 * s * s);
  for (let i = 0; i < n; i++) {
    const box = [boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]] as const;
    const crop = resizeRgbPilBilinear(cutSquare(img, cropSquare(box, img.width, img.height, card.crop.pad)), s, s);
    out.set(normaliseToNchw(crop, card), i * 3 * s * s);
  }
  return out;
}
