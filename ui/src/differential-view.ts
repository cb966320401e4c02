/** The running differential: progress to the target, a table (count, %, 95% CI) and an SVG bar chart with CI whiskers. */
import type { DifferentialRow, ServerMessageOf } from '../../src/stream/protocol.js';
import { colourOf, nameOf } from './colours.js';
import { clear, formatPercent, h, s } from './dom.js';

type DifferentialMessage = ServerMessageOf<'differential'>;

export class DifferentialView {
  readonly progressElement: HTMLElement;
  readonly tableElement: HTMLElement;
  readonly chartElement: HTMLElement;
  private readonly progressCount: HTMLElement;
  private readonly progressBar: HTMLElement;
  private readonly progressNote: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly tfoot: HTMLTableSectionElement;
  private readonly chart: HTMLElement;
  last: DifferentialMessage | null = null;

  constructor() {
    this.progressCount = h('div', { class: 'progress-count', 'data-testid': 'progress-count' }, '0 / 100');
    this.progressBar = h('div', { class: 'progress-fill' });
    this.progressNote = h('div', { class: 'progress-note' }, 'No leukocytes counted yet');
    this.progressElement = h('div', { class: 'progress' },
      h('div', { class: 'progress-head' }, h('span', { class: 'label' }, 'Leukocytes counted'), this.progressCount),
      h('div', { class: 'progress-track', role: 'progressbar', 'aria-label': 'Progress to target' }, this.progressBar),
      this.progressNote,
    );
    this.tbody = h('tbody');
    this.tfoot = h('tfoot');
    this.tableElement = h('table', { class: 'diff-table', 'data-testid': 'differential' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Type'), h('th', { class: 'num' }, 'Count'), h('th', { class: 'num' }, '%'), h('th', { class: 'num' }, '95% CI'))),
      this.tbody,
      this.tfoot,
    );
    this.chart = h('div', { class: 'diff-chart' });
    this.chartElement = this.chart;
  }

  update(d: DifferentialMessage): void {
    this.last = d;
    const fraction = Math.min(1, d.total / d.target);
    this.progressCount.textContent = `${d.total} / ${d.target}`;
    this.progressBar.style.width = `${(fraction * 100).toFixed(1)}%`;
    this.progressBar.classList.toggle('done', d.total >= d.target);
    this.progressNote.textContent =
      d.total === 0 ? 'No leukocytes counted yet' : d.total >= d.target ? 'Target reached: the differential is complete' : `${d.target - d.total} more to the target`;

    clear(this.tbody);
    for (const row of d.rows) {
      this.tbody.append(
        h('tr', { 'data-type': row.type },
          h('td', {}, h('span', { class: 'swatch', style: `background:${colourOf(row.type)}` }), h('span', { class: 'type-code' }, row.type), h('span', { class: 'type-name' }, nameOf(row.type))),
          h('td', { class: 'num' }, String(row.count)),
          h('td', { class: 'num' }, d.total === 0 ? '–' : formatPercent(row.percent)),
          h('td', { class: 'num ci' }, d.total === 0 ? '–' : `${row.ciLow.toFixed(1)}–${row.ciHigh.toFixed(1)}`),
        ),
      );
    }
    clear(this.tfoot);
    this.tfoot.append(h('tr', {}, h('td', {}, 'Total'), h('td', { class: 'num', 'data-testid': 'total' }, String(d.total)), h('td', { class: 'num' }, d.total === 0 ? '–' : '100%'), h('td', { class: 'num ci' }, d.ciMethod)));
    this.renderChart(d.rows, d.total);
  }

  private renderChart(rows: readonly DifferentialRow[], total: number): void {
    const rowH = 30;
    const labelW = 44;
    const width = 320;
    const plotW = width - labelW - 44;
    const height = rows.length * rowH + 22;
    const x = (pct: number) => labelW + (Math.max(0, Math.min(100, pct)) / 100) * plotW;
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img', 'aria-label': 'Differential bar chart with 95% confidence intervals' });
    for (const tick of [0, 25, 50, 75, 100]) {
      svg.append(
        s('line', { x1: x(tick), x2: x(tick), y1: 0, y2: rows.length * rowH, class: 'grid' }),
        s('text', { x: x(tick), y: height - 6, class: 'tick', 'text-anchor': 'middle' }, `${tick}%`),
      );
    }
    rows.forEach((row, i) => {
      const y = i * rowH;
      const colour = colourOf(row.type);
      svg.append(s('text', { x: 0, y: y + rowH / 2 + 4, class: 'bar-label' }, row.type));
      if (total === 0) return;
      svg.append(
        s('rect', { x: labelW, y: y + 6, width: Math.max(0, x(row.percent) - labelW), height: rowH - 12, rx: 3, fill: colour, opacity: 0.85 }),
        // 95% CI whisker
        s('line', { x1: x(row.ciLow), x2: x(row.ciHigh), y1: y + rowH / 2, y2: y + rowH / 2, class: 'whisker' }),
        s('line', { x1: x(row.ciLow), x2: x(row.ciLow), y1: y + 9, y2: y + rowH - 9, class: 'whisker' }),
        s('line', { x1: x(row.ciHigh), x2: x(row.ciHigh), y1: y + 9, y2: y + rowH - 9, class: 'whisker' }),
        s('text', { x: Math.min(x(row.ciHigh) + 4, width - 40), y: y + rowH / 2 + 4, class: 'bar-value' }, formatPercent(row.percent, 0)),
      );
    });
    clear(this.chart);
    this.chart.append(svg);
  }
}
