/**
 * Fills the central pallor of red cells: background regions enclosed by foreground (not touching
 * the image edge or the field-of-view edge) whose area is at most `maxFraction` of the foreground
 * object around them. Larger enclosed regions (plasma inside a ring of cells) are kept.
 */

/** Labels 4-connected (background) or 8-connected (foreground) regions of `value`; 0 = not labelled. */
function label(mask: Uint8Array, width: number, height: number, value: 0 | 1, connect8: boolean, allowed?: Uint8Array) {
  const labels = new Int32Array(width * height);
  const areas: number[] = [0];
  const stack = new Int32Array(width * height);
  let next = 1;
  for (let s = 0; s < labels.length; s++) {
    if (labels[s] !== 0 || mask[s] !== value || (allowed && allowed[s] === 0)) continue;
    labels[s] = next;
    let top = 0;
    stack[top++] = s;
    let area = 0;
    while (top > 0) {
      const i = stack[--top];
      area++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!connect8 && dx !== 0 && dy !== 0)) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (labels[j] !== 0 || mask[j] !== value || (allowed && allowed[j] === 0)) continue;
          labels[j] = next;
          stack[top++] = j;
        }
      }
    }
    areas.push(area);
    next++;
  }
  return { labels, areas };
}

/**
 * mask: 1 = foreground. field (optional): 1 = inside the field of view. Returns a new mask.
 * maxHoleArea (px), when given, replaces the share of the surrounding object (cheaper: no
 * labelling of the foreground), for a pass that already knows the cell size; then holes cut
 * by the frame edge (a cell's pallor at the border) are filled too when small enough.
 */
export function fillHoles(mask: Uint8Array, width: number, height: number, maxFraction: number, field?: Uint8Array, maxHoleArea?: number): Uint8Array {
  const bg = label(mask, width, height, 0, false, field);
  const fg = maxHoleArea === undefined ? label(mask, width, height, 1, true, field) : null;
  const nHoles = bg.areas.length;
  const open = new Uint8Array(nHoles); // touches the edge of the image or field
  const around = new Int32Array(nHoles); // a foreground label next to it
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const h = bg.labels[i];
      if (h === 0) continue;
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      // With a known size, a small hole cut by the frame edge is a cut pallor too.
      if (edge && fg) {
        open[h] = 1;
        continue;
      }
      for (const j of [i - 1, i + 1, i - width, i + width]) {
        if (j < 0 || j >= mask.length || (edge && (j % width === 0) !== (i % width === 0) && Math.abs(j - i) === 1)) continue;
        if (field && field[j] === 0) open[h] = 1;
        else if (mask[j] !== 0) around[h] = fg ? fg.labels[j] : 1;
      }
    }
  }
  const out = mask.slice();
  const fill = new Uint8Array(nHoles);
  for (let h = 1; h < nHoles; h++) {
    if (open[h] || around[h] === 0) continue;
    const limit = fg ? maxFraction * fg.areas[around[h]] : (maxHoleArea as number);
    if (bg.areas[h] <= limit) fill[h] = 1;
  }
  for (let i = 0; i < out.length; i++) if (fill[bg.labels[i]]) out[i] = 1;
  return out;
}
