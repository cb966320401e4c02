import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LEUKOCYTE_TYPES } from '../../src/core/classes.js';
import { CI95_EXTENSION_URL, COUNT_CODES, PERCENT_LOINC } from '../../src/report/codes.js';
import { toFhirBundle } from '../../src/report/fhir.js';
import { makeReportData } from './helpers/report-fixture.js';

// The parts of FHIR R4 this report relies on, as a schema (test/report/fhir-schema.test.ts also
// checks the whole Bundle against the official R4 JSON schema when it is installed).
const UCUM = 'http://unitsofmeasure.org';
const coding = z.object({ system: z.string().url().or(z.string().startsWith('urn:')), code: z.string().min(1), display: z.string().optional() });
const codeableConcept = z.object({ coding: z.array(coding).min(1).optional(), text: z.string().optional() });
const quantity = z.object({ value: z.number(), unit: z.string(), system: z.literal(UCUM), code: z.string() });
const reference = z.object({ reference: z.string().startsWith('urn:uuid:') });
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);

const Observation = z.object({
  resourceType: z.literal('Observation'),
  id: uuid,
  status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown']),
  category: z.array(codeableConcept).min(1),
  code: codeableConcept.required({ coding: true }),
  effectivePeriod: z.object({ start: instant, end: instant.optional() }),
  issued: instant,
  device: reference,
  valueQuantity: quantity,
});
const DiagnosticReport = z.object({
  resourceType: z.literal('DiagnosticReport'),
  id: uuid,
  status: z.enum(['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown']),
  code: codeableConcept.required({ coding: true }),
  issued: instant,
  result: z.array(reference).min(1),
  conclusion: z.string(),
});
const Device = z.object({
  resourceType: z.literal('Device'),
  id: uuid,
  deviceName: z.array(z.object({ name: z.string(), type: z.enum(['udi-label-name', 'user-friendly-name', 'patient-reported-name', 'manufacturer-name', 'model-name', 'other']) })),
  version: z.array(z.object({ type: codeableConcept, value: z.string() })),
});
const Bundle = z.object({
  resourceType: z.literal('Bundle'),
  id: uuid,
  type: z.literal('collection'),
  timestamp: instant,
  entry: z.array(z.object({ fullUrl: z.string().startsWith('urn:uuid:'), resource: z.object({ resourceType: z.string(), id: uuid }).passthrough() })),
});

type Entry = { fullUrl: string; resource: Record<string, any> };

describe('FHIR R4 report', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => cleanup?.());

  it('is a Bundle of one DiagnosticReport, 12 Observations and one Device, each valid in the parts checked', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const bundle = Bundle.parse(toFhirBundle(fx.data));
    const entries = bundle.entry as Entry[];
    const byType = (t: string) => entries.filter((e) => e.resource.resourceType === t).map((e) => e.resource);
    const [report] = byType('DiagnosticReport').map((r) => DiagnosticReport.parse(r));
    const observations = byType('Observation').map((o) => Observation.parse(o));
    const [device] = byType('Device').map((d) => Device.parse(d));
    expect(entries).toHaveLength(14);
    expect(observations).toHaveLength(12);
    for (const e of entries) expect(e.fullUrl).toBe(`urn:uuid:${e.resource.id}`);

    // Every reference resolves inside the Bundle.
    const urls = new Set(entries.map((e) => e.fullUrl));
    for (const r of report.result) expect(urls.has(r.reference)).toBe(true);
    expect(report.result).toHaveLength(12);
    for (const o of observations) expect(o.device.reference).toBe(`urn:uuid:${device.id}`);

    expect(report.status).toBe('final');
    expect(report.code.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '24318-8' });
    expect(report.conclusion).toMatch(/^99 leukocytes counted of a target of 100: NEU 59\.6% \(59\)/);
    expect(device.version.map((v) => [v.type.text, v.value])).toEqual([
      ['software', '0.1.0'],
      ['model', '2026-11-26'],
      ['model-sha256', 'ab'.repeat(32)],
    ]);
  });

  it('has a percent Observation per type with its LOINC code, UCUM % and the 95% CI, and a count per type', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    const entries = toFhirBundle(fx.data).entry as Entry[];
    const obs = entries.map((e) => e.resource).filter((r) => r.resourceType === 'Observation');
    for (const row of fx.data.differential.rows) {
      const pct = obs.find((o) => o.code.coding[0].code === PERCENT_LOINC[row.type].code)!;
      expect(pct.code.coding[0].system).toBe('http://loinc.org');
      expect(pct.valueQuantity).toEqual({ value: Math.round(row.percent * 100) / 100, unit: '%', system: 'http://unitsofmeasure.org', code: '%' });
      const ci = pct.extension.find((x: { url: string }) => x.url === CI95_EXTENSION_URL).valueRange;
      expect(ci.low.code).toBe('%');
      expect(ci.low.value).toBeCloseTo(row.ci95.low, 2);
      expect(ci.high.value).toBeCloseTo(row.ci95.high, 2);
      const count = obs.find((o) => o.code.coding[0].code === COUNT_CODES[row.type].code)!;
      expect(count.valueQuantity).toEqual({ value: row.count, unit: 'cells', system: 'http://unitsofmeasure.org', code: '{cells}' });
    }
    const total = obs.find((o) => o.code.coding[0].code === COUNT_CODES.total.code)!;
    expect(total.valueQuantity.value).toBe(99);
    expect(LEUKOCYTE_TYPES.map((t) => obs.some((o) => o.code.coding[0].code === PERCENT_LOINC[t].code))).toEqual([true, true, true, true, true]);
  });

  it.each([
    // [scan ends as, report status]
    ['completed', 'final'],
    ['aborted', 'cancelled'],
    [null, 'preliminary'], // still running
  ] as const)('a scan that is %s gives a %s report', async (end, status) => {
    const fx = await makeReportData({ end });
    cleanup = fx.cleanup;
    const entries = toFhirBundle(fx.data).entry as Entry[];
    for (const e of entries.filter((x) => x.resource.resourceType !== 'Device')) expect(e.resource.status).toBe(status);
  });

  it('is reproducible: the same scan gives the same ids', async () => {
    const fx = await makeReportData();
    cleanup = fx.cleanup;
    expect(JSON.stringify(toFhirBundle(fx.data))).toBe(JSON.stringify(toFhirBundle(fx.data)));
  });
});
