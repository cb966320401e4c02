import { describe, expect, it } from 'vitest';
import { oracleDetections } from '../../src/sim/oracle.js';
import { buildScan } from '../../src/sim/scan.js';
import { scoreScan, summarise } from '../../src/sim/score.js';
import { SlideCounter } from '../../src/track/slide-counter.js';
import { startsSegment } from '../../src/track/types.js';
import { BCCD_TEST_ROOT } from '../data.js';

// BCCD test fields: the full split (../shared/data or LEUKOSCAN_DATA) when present, else the demo slide (demo/).
describe('simulated scan with the oracle detector (real BCCD test fields)', () => {
  it('counts every expected cell once: no double counts through pauses, reversal, blur, the return pass and a jump back to a scanned area', async () => {
    const scan = await buildScan({ dataRoot: BCCD_TEST_ROOT, seed: 2, frameWidth: 640, frameHeight: 480, fps: 5, durationS: 26, cols: 3, rows: 2, path: { jumpAtEnd: true } });
    const counter = new SlideCounter();
    const starts = new Map<number, { x: number; y: number }>();
    let maxPoseError = 0;
    for (const frame of scan.frames()) {
      const p = scan.groundTruth.path[frame.seq];
      const u = counter.update({ frame, detections: oracleDetections(scan.groundTruth, p, frame.width, frame.height) });
      if (startsSegment(u.frame)) starts.set(u.frame.segment, { x: p.x, y: p.y });
      const o = starts.get(u.frame.segment)!;
      maxPoseError = Math.max(maxPoseError, Math.hypot(u.frame.pose.x + o.x - p.x, u.frame.pose.y + o.y - p.y));
    }
    expect(scan.groundTruth.path.some((p) => p.phase === 'jump')).toBe(true);
    expect(starts.size).toBe(1); // the jump landed on mapped ground: relocalised, no new segment
    expect(maxPoseError).toBeLessThan(8);
    const score = scoreScan(scan.groundTruth, counter.countedCells(), starts);
    expect(score.expected).toBeGreaterThan(2);
    expect(score.doubleCounts).toBe(0);
    expect(score.falseCounts).toBe(0);
    expect(summarise(score).recall).toBe(1);
  });
});
