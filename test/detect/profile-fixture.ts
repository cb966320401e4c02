/** A device profile for tests: 640x480, red cells `rbcDiameterPx` (default 51, x0.5 of BCCD), no stain. */
import type { DeviceProfile, ScaleEstimate } from '../../src/calibration/types.js';

export const scaleOf = (rbcDiameterPx: number): ScaleEstimate => ({ rbcDiameterPx, umPerPx: 7.5 / rbcDiameterPx, rbcCount: 300, confidence: 0.9, method: 'test' });

export function testProfile(over: Partial<DeviceProfile> = {}, rbcDiameterPx = 51): DeviceProfile {
  return {
    version: 1,
    createdAt: '2026-12-04T18:00:00.000Z',
    camera: 'test:',
    frameSize: { width: 640, height: 480 },
    frames: 10,
    scale: scaleOf(rbcDiameterPx),
    field: { kind: 'full' },
    colour: { wbGains: [1, 1, 1], stain: null },
    ...over,
  };
}
