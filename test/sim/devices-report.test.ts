import { describe, expect, it } from 'vitest';
import { type DeviceModeResult, type DeviceResult, formatDevicesTable, meanResult } from '../../src/sim/devices/device-report.js';

const ran = (mode: 'off' | 'on', recall: number, scale: number | null): DeviceModeResult => ({
  mode,
  summary: { recall, typeAccuracy: 0.5, typedFound: 2, falsePositivesPerFrame: 0.25 },
  reason: null,
  wbcAp50: 80,
  wbcAp: 50,
  scaleErrorPercent: scale === null ? null : { median: scale, maxAbs: Math.abs(scale) + 1, frames: 2 },
  scaleEstimates: scale === null ? 0 : 2,
  msPerFrame: 123,
  confusion: null,
  plan: null,
});
const notRun: DeviceModeResult = { mode: 'on', summary: null, reason: 'unavailable', wbcAp50: Number.NaN, wbcAp: Number.NaN, scaleErrorPercent: null, scaleEstimates: 0, msPerFrame: Number.NaN, confusion: null, plan: null };
const device = (name: string, modes: DeviceModeResult[]): DeviceResult => ({ device: name, description: '', kind: 'simulated', frames: 2, cells: 4, typed: 2, modes });

describe('device table', () => {
  it('BAD CALL - a mode that did not run shows n/a in every column, never a number', () => {
    const text = formatDevicesTable([device('x0.25', [ran('off', 0.5, null), notRun])]);
    const row = text.split('\n')[1];
    expect(row).toContain('50.0 | n/a');
    expect(row).toContain('123 | n/a');
    expect(row.match(/\| n\/a/g)).toHaveLength(6);
  });

  it('scale column: "-" off, "no est." where calibration on never estimated a scale', () => {
    const row = formatDevicesTable([device('eyepiece', [ran('off', 0, null), ran('on', 0, null)])]).split('\n')[1];
    expect(row).toContain('- | no est.');
  });

  it('the mean row averages each metric over the devices that ran, and keeps the worst scale error', () => {
    const m = meanResult('mean', [device('a', [ran('off', 0.5, null), ran('on', 1, 4)]), device('b', [ran('off', 1, null), ran('on', 0.5, -10)])]);
    const on = m.modes.find((x) => x.mode === 'on')!;
    expect(m.modes.find((x) => x.mode === 'off')!.summary!.recall).toBeCloseTo(0.75, 9);
    expect(on.summary!.recall).toBeCloseTo(0.75, 9);
    expect(on.scaleErrorPercent).toEqual({ median: -3, maxAbs: 11, frames: 4 });
    const text = formatDevicesTable([m]);
    expect(text).toContain('-3.0 (11.0)');
  });
});
