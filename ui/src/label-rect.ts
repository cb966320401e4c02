/** A rectangle in canvas pixels: top-left corner, width, height. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * Where a cell's label goes: on top of its box where that fits inside the
 * drawn frame, else just inside the box's top edge (or the frame's, for a box
 * that starts above the frame); shifted sideways to stay inside the frame.
 * Pure: the live view draws what it returns.
 */
export function labelRect(box: Rect, labelW: number, labelH: number, frame: Rect): Rect {
  const above = box.y - labelH;
  const y = above >= frame.y ? above : Math.max(box.y, frame.y);
  const x = Math.max(frame.x, Math.min(box.x, frame.x + frame.w - labelW));
  return { x, y, w: labelW, h: labelH };
}
