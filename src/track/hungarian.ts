/**
 * Minimum-cost assignment (Hungarian / Kuhn-Munkres with potentials, O(n^2 m)).
 *
 * cost: rows x cols, finite numbers. Returns, for each row, the assigned column
 * or -1 (only when rows > cols). Every row is assigned when rows <= cols, and
 * every column when rows >= cols; gate pairs by giving them a large cost and
 * dropping them after the call.
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  if (rows === 0) return [];
  const cols = cost[0].length;
  for (const [i, r] of cost.entries()) {
    if (r.length !== cols) throw new Error(`hungarian: row ${i} has ${r.length} columns, expected ${cols}`);
    for (const v of r) if (!Number.isFinite(v)) throw new Error(`hungarian: cost must be finite, got ${v} in row ${i}`);
  }
  if (cols === 0) return new Array(rows).fill(-1);
  if (rows > cols) {
    const t: number[][] = Array.from({ length: cols }, (_, j) => cost.map((r) => r[j]));
    const colToRow = hungarian(t);
    const out = new Array<number>(rows).fill(-1);
    colToRow.forEach((r, c) => {
      if (r >= 0) out[r] = c;
    });
    return out;
  }
  // rows <= cols; 1-based arrays as in the classic formulation
  const n = rows;
  const m = cols;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row matched to column j (1-based), 0 = free
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] > 0) out[p[j] - 1] = j - 1;
  return out;
}
