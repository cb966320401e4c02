/** Combining per-frame calibration measurements: medians, component by component. Pure. */
import type { ColourTransform, FieldMask, ScaleEstimate } from './types.js';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const medianTriple = (xs: readonly (readonly number[])[]): [number, number, number] => [0, 1, 2].map((c) => median(xs.map((x) => x[c]))) as [number, number, number];

/** Median diameter (and µm/px from it), total red cells, median confidence. */
export function combineScales(estimates: readonly ScaleEstimate[], umPerRbc: number): ScaleEstimate {
  const d = median(estimates.map((e) => e.rbcDiameterPx));
  return {
    rbcDiameterPx: d,
    umPerPx: umPerRbc / d,
    rbcCount: estimates.reduce((a, e) => a + e.rbcCount, 0),
    confidence: median(estimates.map((e) => e.confidence)),
    method: estimates[0]?.method ?? 'none',
  };
}

/** Component-wise median of colour transforms; stain only if most frames had one. */
export function combineColour(transforms: readonly ColourTransform[]): ColourTransform {
  const wbGains = medianTriple(transforms.map((t) => t.wbGains));
  const stains = transforms.flatMap((t) => (t.stain ? [t.stain] : []));
  if (stains.length * 2 < transforms.length || stains.length === 0) return { wbGains, stain: null };
  const s0 = stains[0];
  return {
    wbGains,
    stain: {
      ...s0,
      sourceMean: medianTriple(stains.map((s) => s.sourceMean)),
      sourceStd: medianTriple(stains.map((s) => s.sourceStd)),
      blendOd: [median(stains.map((s) => s.blendOd[0])), median(stains.map((s) => s.blendOd[1]))],
    },
  };
}

/** The most frequent kind wins; its parameters are medians over the frames of that kind. */
export function combineFields(fields: readonly FieldMask[]): FieldMask {
  const counts = { full: 0, circle: 0, rect: 0 };
  for (const f of fields) counts[f.kind]++;
  const kind = (Object.keys(counts) as FieldMask['kind'][]).reduce((a, b) => (counts[b] > counts[a] ? b : a), 'full');
  if (kind === 'circle') {
    const cs = fields.filter((f): f is Extract<FieldMask, { kind: 'circle' }> => f.kind === 'circle');
    return { kind, cx: median(cs.map((c) => c.cx)), cy: median(cs.map((c) => c.cy)), r: median(cs.map((c) => c.r)) };
  }
  if (kind === 'rect') {
    const rs = fields.filter((f): f is Extract<FieldMask, { kind: 'rect' }> => f.kind === 'rect');
    return { kind, x0: median(rs.map((r) => r.x0)), y0: median(rs.map((r) => r.y0)), x1: median(rs.map((r) => r.x1)), y1: median(rs.map((r) => r.y1)) };
  }
  return { kind: 'full' };
}
