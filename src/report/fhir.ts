/**
 * The scan as a FHIR R4 Bundle (type 'collection'): one DiagnosticReport (LOINC 24318-8) whose
 * results are, per leukocyte type, a percent Observation (LOINC manual-count codes, UCUM '%', with
 * its 95% CI in an extension) and a count Observation (local codes, UCUM '{cells}'), plus total and
 * rejected counts; and a Device naming the model (name, version, sha256) and leukoscan's version,
 * referenced by every Observation. Ids are UUIDs derived from the scan, so a report is reproducible.
 */
import { createHash } from 'node:crypto';
import { LEUKOCYTE_NAMES } from '../core/classes.js';
import {
  CI95_EXTENSION_URL,
  COUNT_CODES,
  DIFFERENTIAL_PANEL,
  MODEL_SHA256_EXTENSION_URL,
  PERCENT_LOINC,
  UCUM_SYSTEM,
  type Coding,
} from './codes.js';
import { isoTime, reportStatus, type ReportData } from './report-data.js';

type Json = Record<string, unknown>;

const OBSERVATION_CATEGORY = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }],
};
const REPORT_CATEGORY = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'HM', display: 'Hematology' }],
};
const METHOD = {
  text: 'Leukocytes detected and classified on a stained blood smear by leukoscan (MFDS-DETR model), reviewed by a technologist',
};

export function toFhirBundle(data: ReportData): Json {
  const { scan, differential } = data;
  const uuid = (name: string) => deterministicUuid(`leukoscan:${scan.id}:${scan.startedAtMs}:${scan.model.sha256}:${name}`);
  const status = reportStatus(data);
  const issued = isoTime(data.generatedAtMs)!;
  const effectivePeriod = { start: isoTime(scan.startedAtMs), ...(scan.endedAtMs !== null ? { end: isoTime(scan.endedAtMs) } : {}) };
  const performer = [{ display: scan.operator }];

  const deviceId = uuid('device');
  const device: Json = {
    resourceType: 'Device',
    id: deviceId,
    status: 'active',
    deviceName: [
      { name: 'leukoscan', type: 'manufacturer-name' },
      { name: scan.model.name, type: 'model-name' },
    ],
    modelNumber: scan.model.name,
    type: { text: 'Blood smear leukocyte detector and classifier (software)' },
    version: [
      { type: { text: 'software' }, value: scan.softwareVersion },
      ...(scan.model.version ? [{ type: { text: 'model' }, value: String(scan.model.version) }] : []),
      { type: { text: 'model-sha256' }, value: scan.model.sha256 },
    ],
  };

  const observation = (name: string, code: Coding, text: string, valueQuantity: Json, extra: Json = {}): Json => ({
    resourceType: 'Observation',
    id: uuid(name),
    status: status === 'cancelled' ? 'cancelled' : status,
    category: [OBSERVATION_CATEGORY],
    code: { coding: [code], text },
    effectivePeriod,
    issued,
    performer,
    method: METHOD,
    device: { reference: `urn:uuid:${deviceId}` },
    valueQuantity,
    ...extra,
  });
  const percent = (value: number): Json => ({ value: round(value, 2), unit: '%', system: UCUM_SYSTEM, code: '%' });
  const cells = (value: number): Json => ({ value, unit: 'cells', system: UCUM_SYSTEM, code: '{cells}' });

  const observations: Json[] = [];
  for (const row of differential.rows) {
    observations.push(
      observation(`percent-${row.type}`, PERCENT_LOINC[row.type], `${LEUKOCYTE_NAMES[row.type]} %`, percent(row.percent), {
        extension: [{ url: CI95_EXTENSION_URL, valueRange: { low: percent(row.ci95.low), high: percent(row.ci95.high) } }],
      }),
    );
  }
  for (const row of differential.rows) {
    observations.push(observation(`count-${row.type}`, COUNT_CODES[row.type], `${LEUKOCYTE_NAMES[row.type]} counted`, cells(row.count)));
  }
  observations.push(observation('count-total', COUNT_CODES.total, 'Leukocytes counted', cells(differential.counted)));
  observations.push(observation('count-rejected', COUNT_CODES.rejected, 'Detections rejected on review', cells(differential.rejected)));

  const report: Json = {
    resourceType: 'DiagnosticReport',
    id: uuid('report'),
    extension: [{ url: MODEL_SHA256_EXTENSION_URL, valueString: scan.model.sha256 }],
    identifier: [{ system: 'urn:leukoscan:scan-id', value: String(scan.id) }],
    status,
    category: [REPORT_CATEGORY],
    code: { coding: [DIFFERENTIAL_PANEL], text: 'Leukocyte differential' },
    effectivePeriod,
    issued,
    performer,
    result: observations.map((o) => ({ reference: `urn:uuid:${o.id as string}` })),
    conclusion: conclusion(data),
  };

  const resources = [report, ...observations, device];
  return {
    resourceType: 'Bundle',
    id: uuid('bundle'),
    type: 'collection',
    timestamp: issued,
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${resource.id as string}`, resource })),
  };
}

export function toFhir(data: ReportData): string {
  return `${JSON.stringify(toFhirBundle(data), null, 2)}\n`;
}

function conclusion(data: ReportData): string {
  const d = data.differential;
  const parts = d.rows.map((r) => `${r.type} ${r.percent.toFixed(1)}% (${r.count})`).join(', ');
  const target = d.target ? ` of a target of ${d.target}` : '';
  const review = data.reviews.length > 0 ? `; ${data.reviews.length} review actions, ${d.rejected} detections rejected` : '';
  const interrupted = data.scan.interrupted ? '; the scan was interrupted and is incomplete' : '';
  return `${d.counted} leukocytes counted${target}: ${parts}${review}${interrupted}. Model ${data.scan.model.name}, leukoscan ${data.scan.softwareVersion}.`;
}

/** RFC 4122-shaped (version 4 bits set) UUID from a sha256 of `seed`. */
export function deterministicUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
