/**
 * Codes used in the FHIR report.
 *
 * LOINC percent codes: "<Type>/100 leukocytes in Blood by Manual count" (property NFr, method
 * Manual count), the differential of a stained smear read cell by cell. Each code below was checked
 * against public LOINC listings (loinc.org panel 24318-8, a public LOINC mapping table, HL7 v2
 * samples) and against LOINC's mod-10 check digit (see loincCheckDigitValid; test/report/codes.test.ts).
 * Note: 769-8, sometimes quoted for neutrophils, fails the check digit; 769-0 is *segmented*
 * neutrophils by manual count. leukoscan's NEU class covers all neutrophils, hence 23761-0.
 *
 * Counts: LOINC's absolute differential codes (e.g. 753-4 Neutrophils [#/volume] in Blood by Manual
 * count) are concentrations and need the WBC count, which leukoscan does not measure; and the
 * "[#]" cell-tally terms we found (e.g. 38256-4 Cells Counted Total) are for body fluids. So the
 * number of cells counted per type, the total and the rejected cells use a LOCAL code system.
 */
import type { LeukocyteType } from '../core/classes.js';

export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/** Local code system for the cell tallies (no LOINC term fits; see above). */
export const LOCAL_COUNT_SYSTEM = 'urn:leukoscan:codesystem:cell-count';
/** Local extension carrying the 95% confidence interval of a percentage (R4 has no element for it). */
export const CI95_EXTENSION_URL = 'urn:leukoscan:extension:confidence-interval-95';
/** Local extension on the DiagnosticReport naming the model file's sha256. */
export const MODEL_SHA256_EXTENSION_URL = 'urn:leukoscan:extension:model-sha256';

export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

/** Manual Differential panel - Blood (loinc.org/24318-8). */
export const DIFFERENTIAL_PANEL: Coding = { system: LOINC_SYSTEM, code: '24318-8', display: 'Manual Differential panel - Blood' };

export const PERCENT_LOINC: Readonly<Record<LeukocyteType, Coding>> = {
  NEU: { system: LOINC_SYSTEM, code: '23761-0', display: 'Neutrophils/100 leukocytes in Blood by Manual count' },
  LYM: { system: LOINC_SYSTEM, code: '737-7', display: 'Lymphocytes/100 leukocytes in Blood by Manual count' },
  MON: { system: LOINC_SYSTEM, code: '744-3', display: 'Monocytes/100 leukocytes in Blood by Manual count' },
  EOS: { system: LOINC_SYSTEM, code: '714-6', display: 'Eosinophils/100 leukocytes in Blood by Manual count' },
  BAS: { system: LOINC_SYSTEM, code: '707-0', display: 'Basophils/100 leukocytes in Blood by Manual count' },
};

export const COUNT_CODES: Readonly<Record<LeukocyteType | 'total' | 'rejected', Coding>> = {
  NEU: { system: LOCAL_COUNT_SYSTEM, code: 'NEU-count', display: 'Neutrophils counted [#] in Blood smear' },
  LYM: { system: LOCAL_COUNT_SYSTEM, code: 'LYM-count', display: 'Lymphocytes counted [#] in Blood smear' },
  MON: { system: LOCAL_COUNT_SYSTEM, code: 'MON-count', display: 'Monocytes counted [#] in Blood smear' },
  EOS: { system: LOCAL_COUNT_SYSTEM, code: 'EOS-count', display: 'Eosinophils counted [#] in Blood smear' },
  BAS: { system: LOCAL_COUNT_SYSTEM, code: 'BAS-count', display: 'Basophils counted [#] in Blood smear' },
  total: { system: LOCAL_COUNT_SYSTEM, code: 'total-counted', display: 'Leukocytes counted in the differential [#]' },
  rejected: { system: LOCAL_COUNT_SYSTEM, code: 'rejected', display: 'Detections rejected by the technologist [#]' },
};

/** LOINC's check digit: the mod-10 (Luhn) digit of the part before the hyphen. */
export function loincCheckDigitValid(code: string): boolean {
  const m = /^(\d+)-(\d)$/.exec(code);
  if (!m) return false;
  const digits = m[1].split('').reverse().map(Number);
  let sum = 0;
  digits.forEach((d, i) => {
    let v = i % 2 === 0 ? d * 2 : d;
    if (v > 9) v -= 9;
    sum += v;
  });
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}
