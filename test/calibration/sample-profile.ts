/** A plausible device profile for the file and calibrator tests. */
import type { DeviceProfile } from '../../src/calibration/types.js';

export const SAMPLE_PROFILE: DeviceProfile = {
  version: 1,
  createdAt: '2026-12-04T18:00:00.000Z',
  camera: 'v4l2:///dev/video0',
  frameSize: { width: 640, height: 480 },
  frames: 30,
  scale: { rbcDiameterPx: 68.2, umPerPx: 7.5 / 68.2, rbcCount: 412, confidence: 0.71, method: 'od-otsu-boolean-covariance' },
  field: { kind: 'circle', cx: 320.5, cy: 241, r: 228 },
  colour: {
    wbGains: [1.08, 0.97, 1.21],
    stain: {
      method: 'reinhard-lab-cells',
      sourceMean: [61.2, 18.1, 2.5],
      sourceStd: [7.7, 5.1, 6.3],
      targetMean: [65.0, 14.2, 0.3],
      targetStd: [8.1, 6.0, 7.2],
      backgroundRgb: [203.99, 205.62, 199.53],
      blendOd: [0.07, 0.18],
      maxStdRatio: 3,
    },
  },
};
