import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/report/json.js';
import { makeReportData } from './helpers/report-fixture.js';

describe('JSON report', () => {
  let fx: Awaited<ReturnType<typeof makeReportData>>;
  beforeAll(async () => {
    fx = await makeReportData();
  });
  afterAll(() => fx.cleanup());

  it('holds the scan, the differential with counts, percent and 95% CI, the cells, reviews and events', () => {
    const report = JSON.parse(toJson(fx.data));
    expect(report).toMatchObject({
      format: 'leukoscan-scan-report',
      version: 1,
      generatedAt: '2026-11-26T01:00:00.000Z',
      scan: { id: fx.data.scan.id, status: 'completed', operator: 'tech.a', model: { name: 'leukoscan-lite' } },
      differential: { counted: 99, rejected: 1, ciMethod: 'wilson-95' },
    });
    expect(report.differential.types.NEU.count).toBe(59);
    expect(report.differential.types.NEU.percent).toBeCloseTo((59 / 99) * 100, 10);
    expect(report.differential.types.NEU.ci95.low).toBeLessThan(report.differential.types.NEU.percent);
    expect(report.differential.types.NEU.ci95.high).toBeGreaterThan(report.differential.types.NEU.percent);
    expect(report.cells).toHaveLength(100);
    expect(report.cells[0]).not.toHaveProperty('cropJpeg');
    expect(report.cells[0].hasCrop).toBe(true);
    expect(report.reviews.map((r: { action: string }) => r.action)).toEqual(['reclassify', 'reject']);
    expect(report.events.map((e: { kind: string }) => e.kind)).toEqual(['scan-started', 'scan-ended']);
  });
});
