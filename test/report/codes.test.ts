import { describe, expect, it } from 'vitest';
import { LEUKOCYTE_TYPES } from '../../src/core/classes.js';
import { COUNT_CODES, DIFFERENTIAL_PANEL, LOINC_SYSTEM, PERCENT_LOINC, loincCheckDigitValid } from '../../src/report/codes.js';

describe('LOINC codes of the FHIR report', () => {
  it.each([
    // [code, valid] — known codes from LOINC's tables, and typos
    ['770-8', true], // Neutrophils/100 leukocytes in Blood by Automated count
    ['736-9', true], // Lymphocytes/100 leukocytes in Blood by Automated count
    ['5905-5', true], // Monocytes/100 leukocytes in Blood by Automated count
    ['24318-8', true], // Manual Differential panel - Blood
    ['769-8', false], // often quoted, but not a LOINC code (check digit)
    ['737-5', false],
    ['737', false],
  ] as const)('check digit of %s is %s', (code, valid) => {
    expect(loincCheckDigitValid(code)).toBe(valid);
  });

  it('every percent code is a distinct, check-digit-valid LOINC "by Manual count" term', () => {
    const codes = LEUKOCYTE_TYPES.map((t) => PERCENT_LOINC[t]);
    expect(new Set(codes.map((c) => c.code)).size).toBe(5);
    for (const c of [...codes, DIFFERENTIAL_PANEL]) {
      expect(c.system).toBe(LOINC_SYSTEM);
      expect(loincCheckDigitValid(c.code), c.code).toBe(true);
    }
    for (const t of LEUKOCYTE_TYPES) expect(PERCENT_LOINC[t].display).toMatch(/\/100 leukocytes in Blood by Manual count$/);
  });

  it('counts use the local code system, never a LOINC system URL', () => {
    for (const c of Object.values(COUNT_CODES)) expect(c.system).not.toBe(LOINC_SYSTEM);
  });
});
