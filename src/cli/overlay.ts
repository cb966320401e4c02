import sharp from 'sharp';
import { type DetectionsXyxyPixels, detectionRows } from '../core/detections.js';

/** One colour per class index (model output order), cycling if there are more classes. */
export const CLASS_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#ff6f91', '#42d4f4', '#f032e6', '#bfef45'] as const;

export interface OverlayStyle {
  readonly strokeWidth: number;
  readonly fontSize: number;
}

export const OVERLAY_DEFAULTS: OverlayStyle = { strokeWidth: 2, fontSize: 12 };

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Pure: an SVG the size of the image with one labelled rectangle per detection. */
export function overlaySvg(d: DetectionsXyxyPixels, style: OverlayStyle = OVERLAY_DEFAULTS): string {
  const parts = detectionRows(d).map((r) => {
    const colour = CLASS_COLOURS[r.classId % CLASS_COLOURS.length];
    const x = r.x1.toFixed(1);
    const y = r.y1.toFixed(1);
    const w = Math.max(0, r.x2 - r.x1).toFixed(1);
    const h = Math.max(0, r.y2 - r.y1).toFixed(1);
    const label = `${escapeXml(r.className)} ${r.score.toFixed(2)}`;
    const ty = Math.max(style.fontSize, r.y1 - 2).toFixed(1);
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${style.strokeWidth}"/>` +
      `<text x="${x}" y="${ty}" font-family="sans-serif" font-size="${style.fontSize}" fill="${colour}">${label}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${d.imageWidth}" height="${d.imageHeight}">${parts.join('')}</svg>`;
}

/** Writes `imageFile` with the detections drawn on it to `outFile` (format from its extension). */
export async function writeOverlay(imageFile: string, d: DetectionsXyxyPixels, outFile: string, style: OverlayStyle = OVERLAY_DEFAULTS): Promise<void> {
  await sharp(imageFile)
    .composite([{ input: Buffer.from(overlaySvg(d, style)), top: 0, left: 0 }])
    .toFile(outFile);
}
