/** Is a frame point inside the field of view? (pure; FieldMask from src/pipeline/calibration) */
import type { FieldMask } from '../../pipeline/calibration/types.js';

export function insideField(mask: FieldMask, x: number, y: number): boolean {
  switch (mask.kind) {
    case 'full':
      return true;
    case 'circle': {
      const dx = x - mask.cx;
      const dy = y - mask.cy;
      return dx * dx + dy * dy <= mask.r * mask.r;
    }
    case 'rect':
      return x >= mask.x0 && x < mask.x1 && y >= mask.y0 && y < mask.y1;
  }
}
