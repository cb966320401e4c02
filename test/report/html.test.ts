import { afterEach, describe, expect, it } from 'vitest';
import { esc, toHtml } from '../../src/report/html.js';
import { FAKE_JPEG, makeReportData } from './helpers/report-fixture.js';

describe('HTML report', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => cleanup?.());

  it('embeds every stored crop as a data URI and groups the gallery by current type', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const html = toHtml(fx.data);
    const dataUri = `data:image/jpeg;base64,${Buffer.from(FAKE_JPEG).toString('base64')}`;
    expect(html.split(dataUri).length - 1).toBe(fx.data.cells.filter((c) => c.hasCrop).length); // 50
    expect(html.match(/class="nocrop"/g)).toHaveLength(50);
    expect(html.match(/<figure class="cell[^"]*"/g)).toHaveLength(100);
    expect(html).toMatch(/<h3>Neutrophil \(NEU\) — 59<\/h3>/);
    expect(html).toMatch(/<h3>Eosinophil \(EOS\) — 6<\/h3>/);
    expect(html).toMatch(/<h3>Rejected on review — 1<\/h3>/);
    expect(html).toContain('was NEU');
  });

  it('is self-contained and printable: no external resources, print CSS, differential with CIs', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const html = toHtml(fx.data);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain('@media print');
    expect(html).toContain('@page');
    expect(html).toMatch(/<td>Neutrophil \(NEU\)<\/td><td>59<\/td><td>59\.6%<\/td><td>\d+\.\d–\d+\.\d%<\/td>/);
    expect(html).toContain('<span class="status final">final</span>');
  });

  it('HOSTILE TEXT - an operator name with markup is shown as text, not run', async () => {
    const fx = await makeReportData({ operator: '<script>alert(1)</script>' });
    cleanup = fx.cleanup;
    const html = toHtml(fx.data);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(esc(`"'&`)).toBe('&quot;&#39;&amp;');
  });

  it('an unfinished scan is flagged as not final', async () => {
    const fx = await makeReportData({ end: null });
    cleanup = fx.cleanup;
    expect(toHtml(fx.data)).toContain('the differential is not final');
  });
});
