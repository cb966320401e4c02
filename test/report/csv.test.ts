import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, toCsv } from '../../src/report/csv.js';
import { parseCsv } from '../../src/core/csv.js';
import { makeReportData } from './helpers/report-fixture.js';

describe('CSV report', () => {
  let fx: Awaited<ReturnType<typeof makeReportData>>;
  beforeAll(async () => {
    fx = await makeReportData({ operator: 'Smith, "Jo"' });
  });
  afterAll(() => fx.cleanup());

  it('has one row per cell, then one summary row per type, a total and a rejected row, all with the same columns', () => {
    const rows = parseCsv(toCsv(fx.data));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const kinds = rows.slice(1).map((r) => r[col('record')]);
    expect(kinds.filter((k) => k === 'cell')).toHaveLength(100);
    expect(kinds.slice(100)).toEqual(['summary', 'summary', 'summary', 'summary', 'summary', 'total', 'rejected']);
    const summary = rows.filter((r) => r[0] === 'summary').map((r) => [r[col('type')], r[col('count')], r[col('percent')]]);
    // 60 NEU - 1 reclassified to EOS; one LYM rejected: 99 counted.
    expect(summary).toEqual([
      ['NEU', '59', '59.6'],
      ['LYM', '24', '24.24'],
      ['MON', '8', '8.08'],
      ['EOS', '6', '6.06'],
      ['BAS', '2', '2.02'],
    ]);
    expect(rows.find((r) => r[0] === 'total')![col('count')]).toBe('99');
    expect(rows.find((r) => r[0] === 'rejected')![col('count')]).toBe('1');
    const first = rows[1];
    expect([first[col('model_type')], first[col('type')], first[col('status')], first[col('reviewed_by')]]).toEqual(['NEU', 'EOS', 'reclassified', 'tech.b']);
    expect(rows.find((r) => r[col('track_id')] === '61')![col('status')]).toBe('rejected');
  });

  it.each([
    // [value, field as written]
    ['plain', 'plain'],
    ['Smith, "Jo"', '"Smith, ""Jo"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`], // a spreadsheet would run it: defused
    ['-1+2', "'-1+2"],
    [-12.5, '-12.5'], // numbers are never prefixed
    [null, ''],
  ] as const)('field %j is written as %s', (value, written) => {
    expect(csvField(value)).toBe(written);
  });
});
