/**
 * A printable, self-contained HTML summary of a scan: header, differential table with 95% CIs,
 * review summary, and the gallery of counted cells grouped by their current type (crops embedded
 * as data URIs; no external resources). Print CSS keeps table rows and gallery tiles whole.
 */
import { LEUKOCYTE_NAMES, LEUKOCYTE_TYPES, type LeukocyteType } from '../core/classes.js';
import type { CellRecord } from '../store/types.js';
import { isoTime, reportStatus, type ReportData } from './report-data.js';

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; }
  body { margin: 24px; max-width: 1100px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 16px; margin: 20px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
  h3 { font-size: 14px; margin: 14px 0 6px; }
  .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #eee; }
  .status.final { background: #d8f0d8; } .status.preliminary { background: #fff0c0; } .status.cancelled { background: #f6d0d0; }
  .warning { border: 1px solid #c90; background: #fff7e0; padding: 6px 10px; margin: 8px 0; }
  dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; margin: 8px 0; }
  dl.meta dt { color: #555; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
  table.diff { border-collapse: collapse; font-size: 13px; min-width: 520px; }
  table.diff th, table.diff td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }
  table.diff th:first-child, table.diff td:first-child { text-align: left; }
  table.diff tfoot td { font-weight: 600; border-top: 2px solid #999; }
  .bar { display: inline-block; height: 8px; background: #3b6fb6; vertical-align: middle; }
  .gallery { display: flex; flex-wrap: wrap; gap: 8px; }
  figure.cell { margin: 0; width: 96px; font-size: 10px; text-align: center; break-inside: avoid; page-break-inside: avoid; }
  figure.cell img, figure.cell .nocrop { width: 96px; height: 96px; object-fit: contain; background: #f4f4f4; border: 1px solid #ccc; display: block; }
  figure.cell .nocrop { line-height: 96px; color: #888; }
  figure.cell.reviewed img { border: 2px solid #c60; }
  figure.cell.rejected { opacity: 0.6; }
  footer { margin-top: 24px; font-size: 11px; color: #666; }
  @page { size: A4; margin: 14mm; }
  @media print {
    body { margin: 0; max-width: none; }
    h2 { break-after: avoid; page-break-after: avoid; }
    table.diff tr { break-inside: avoid; page-break-inside: avoid; }
    .bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
    a { color: inherit; text-decoration: none; }
  }
`;

export function toHtml(data: ReportData): string {
  const { scan, differential: d } = data;
  const status = reportStatus(data);
  const title = `leukoscan scan #${scan.id} — ${d.counted} leukocytes`;
  const rows = d.rows
    .map(
      (r) =>
        `<tr><td>${esc(LEUKOCYTE_NAMES[r.type])} (${r.type})</td><td>${r.count}</td><td>${r.percent.toFixed(1)}%</td>` +
        `<td>${r.ci95.low.toFixed(1)}–${r.ci95.high.toFixed(1)}%</td>` +
        `<td style="text-align:left"><span class="bar" style="width:${(r.percent * 1.5).toFixed(1)}px"></span></td></tr>`,
    )
    .join('\n');
  const byType = new Map<LeukocyteType | 'rejected', CellRecord[]>();
  for (const c of data.cells) {
    const key = c.type ?? 'rejected';
    const list = byType.get(key) ?? [];
    list.push(c);
    byType.set(key, list);
  }
  const groups = [...LEUKOCYTE_TYPES, 'rejected' as const]
    .filter((k) => (byType.get(k)?.length ?? 0) > 0)
    .map((k) => {
      const cells = byType.get(k)!;
      const heading = k === 'rejected' ? 'Rejected on review' : `${LEUKOCYTE_NAMES[k]} (${k})`;
      return `<h3>${esc(heading)} — ${cells.length}</h3>\n<div class="gallery">\n${cells.map(tile).join('\n')}\n</div>`;
    })
    .join('\n');

  const warning =
    scan.interrupted || status !== 'final'
      ? `<p class="warning">${
          scan.interrupted
            ? 'This scan was interrupted (its process ended without closing it). The counts are the cells committed before the interruption.'
            : `This scan is ${esc(scan.status)}: the differential is not final.`
        }</p>`
      : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Leukocyte differential — scan #${scan.id} <span class="status ${status}">${status}</span></h1>
${warning}
<dl class="meta">
<dt>Operator</dt><dd>${esc(scan.operator)}</dd>
<dt>Source</dt><dd>${esc(scan.source)}</dd>
<dt>Started</dt><dd>${esc(isoTime(scan.startedAtMs) ?? '')}</dd>
<dt>Ended</dt><dd>${esc(isoTime(scan.endedAtMs) ?? '—')}</dd>
<dt>Target</dt><dd>${d.target ?? '—'}</dd>
<dt>Model</dt><dd>${esc(scan.model.name)}${scan.model.version ? ` (${esc(String(scan.model.version))})` : ''}, sha256 <code>${esc(scan.model.sha256)}</code></dd>
<dt>Software</dt><dd>leukoscan ${esc(scan.softwareVersion)}</dd>
</dl>
</header>
<section>
<h2>Differential</h2>
<table class="diff">
<thead><tr><th>Type</th><th>Count</th><th>Percent</th><th>95% CI (Wilson)</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td>Counted</td><td>${d.counted}</td><td>100%</td><td></td><td></td></tr></tfoot>
</table>
<p>${d.rejected} detection(s) rejected and ${data.reviews.length} review action(s) by ${esc(reviewers(data))}.</p>
</section>
<section>
<h2>Gallery</h2>
${groups || '<p>No cells were counted.</p>'}
</section>
<footer>Generated ${esc(isoTime(data.generatedAtMs) ?? '')} by leukoscan ${esc(data.software.version)}. Counts and percentages are derived from the stored cells and the technologist's reviews.</footer>
</body>
</html>
`;
}

function tile(c: CellRecord): string {
  const classes = ['cell', c.reviewed ? 'reviewed' : '', c.rejected ? 'rejected' : ''].filter(Boolean).join(' ');
  const alt = `cell ${c.id}: ${c.type ?? 'rejected'} (model ${c.modelType}, ${(c.confidence * 100).toFixed(0)}%)`;
  const img =
    c.cropJpeg && c.cropJpeg.length > 0
      ? `<img alt="${esc(alt)}" src="data:image/jpeg;base64,${Buffer.from(c.cropJpeg).toString('base64')}">`
      : `<div class="nocrop">no crop</div>`;
  const note = c.reviewed && c.type !== c.modelType ? ` · was ${c.modelType}` : '';
  return `<figure class="${classes}">${img}<figcaption>#${c.id} · ${(c.confidence * 100).toFixed(0)}%${esc(note)}</figcaption></figure>`;
}

function reviewers(data: ReportData): string {
  const names = [...new Set(data.reviews.map((r) => r.operator))];
  return names.length > 0 ? names.join(', ') : 'nobody';
}

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
