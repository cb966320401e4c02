import type { CocoSummary } from './coco-eval.js';

const fmt = (v: number) => (v < 0 ? '   n/a' : v.toFixed(1).padStart(6));

/** Pure: the table `leukoscan eval` prints. */
export function formatCocoTable(s: CocoSummary, title: string): string {
  const lines = [title, ''];
  lines.push(`${'AP'.padStart(6)} ${'AP50'.padStart(6)} ${'AP75'.padStart(6)} ${'APs'.padStart(6)} ${'APm'.padStart(6)} ${'APl'.padStart(6)} ${'AR100'.padStart(6)}`);
  lines.push([s.AP, s.AP50, s.AP75, s.APs, s.APm, s.APl, s.AR].map(fmt).join(' '));
  lines.push('');
  const w = Math.max(8, ...s.perCategory.map((c) => c.category.length));
  lines.push(`${'class'.padEnd(w)} ${'n_gt'.padStart(6)} ${'n_det'.padStart(6)} ${'AP'.padStart(6)} ${'AP50'.padStart(6)} ${'AP75'.padStart(6)}`);
  for (const c of s.perCategory) {
    lines.push(`${c.category.padEnd(w)} ${String(c.numGroundTruth).padStart(6)} ${String(c.numDetections).padStart(6)} ${fmt(c.AP)} ${fmt(c.AP50)} ${fmt(c.AP75)}`);
  }
  return lines.join('\n');
}

/** Pure: the same numbers as JSON-ready data (rounded to 0.001). */
export function summaryToJson(s: CocoSummary): Record<string, number> {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  const out: Record<string, number> = { AP: r(s.AP), AP50: r(s.AP50), AP75: r(s.AP75), APs: r(s.APs), APm: r(s.APm), APl: r(s.APl), AR: r(s.AR) };
  for (const c of s.perCategory) out[`AP/${c.category}`] = r(c.AP);
  return out;
}
