import { describe, expect, it } from 'vitest';
import { labelRect } from '../../ui/src/label-rect.js';

const frame = { x: 10, y: 20, w: 640, h: 480 };

describe('labelRect (live view cell labels)', () => {
  it('puts the label on top of a box that has room above it', () => {
    expect(labelRect({ x: 100, y: 100, w: 80, h: 80 }, 60, 15, frame)).toEqual({ x: 100, y: 85, w: 60, h: 15 });
  });

  it('puts it just inside the top edge of a box at the top of the frame', () => {
    expect(labelRect({ x: 100, y: 25, w: 80, h: 80 }, 60, 15, frame)).toEqual({ x: 100, y: 25, w: 60, h: 15 });
  });

  it('keeps it in the frame for a box that starts above the frame (the cell is cut by its edge)', () => {
    expect(labelRect({ x: 100, y: -30, w: 80, h: 120 }, 60, 15, frame)).toEqual({ x: 100, y: 20, w: 60, h: 15 });
  });

  it('shifts it sideways into the frame for boxes past the left or right edge', () => {
    expect(labelRect({ x: -5, y: 100, w: 80, h: 80 }, 60, 15, frame).x).toBe(10);
    expect(labelRect({ x: 620, y: 100, w: 80, h: 80 }, 60, 15, frame).x).toBe(590);
  });
});
