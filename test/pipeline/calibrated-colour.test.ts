/**
 * The device calibration in the live pipeline: normaliseColour applies the calibration's colour
 * transform when it has one (the white balance to the card otherwise), and livePipeline shows the
 * calibrator the captured frames BEFORE colour correction, so it never measures its own correction.
 */
import { describe, expect, it } from 'vitest';
import { map } from 'rxjs';
import type { CaptureEvent } from '../../src/capture/health.js';
import { emptyDetections } from '../../src/core/detections.js';
import type { Frame } from '../../src/core/frame.js';
import type { ModelCard } from '../../src/core/model-card.js';
import { applyColourTransform } from '../../src/calibration/apply-colour.js';
import type { ColourTransform } from '../../src/calibration/types.js';
import { livePipeline } from '../../src/pipeline/live-pipeline.js';
import { stableTransform } from '../../src/colour/frame-corrector.js';
import { normaliseColour } from '../../src/pipeline/operators/normalise-colour.js';
import { testScheduler, tinyFrame } from './helpers.js';

const REF = { labMean: [70, 10, -10] as [number, number, number], labStd: [10, 8, 8] as [number, number, number], backgroundRgb: [230, 200, 190] as [number, number, number] };
const GAINS: ColourTransform = { wbGains: [0.5, 1, 2], stain: null };
const rgbOf = (f: Frame) => Array.from(f.rgb.subarray(0, 3)).join(',');

describe('normaliseColour with a calibration transform (marbles)', () => {
  it('applies the transform while there is one, the white balance otherwise; unsubscribes the source', () => {
    let t: ColourTransform | null = null;
    const frame = tinyFrame(0, 0, [100, 100, 100]);
    const expected = rgbOf({ ...frame, rgb: applyColourTransform(frame.rgb, GAINS) });
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<Frame>('-a-b-c-', { a: frame, b: { ...frame, seq: 1 }, c: { ...frame, seq: 2 } });
      const out = source.pipe(
        normaliseColour(REF, {}, { transform: () => t }),
        map((f) => {
          const got = rgbOf(f);
          if (f.seq === 0) t = GAINS; // the calibration arrives after the first frame
          return got === expected ? 'T' : 'W';
        }),
      );
      expectObservable(out, '^----!').toBe('-W-T-');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    expect(expected).toBe('50,100,200');
  });
});

describe('livePipeline with a calibration', () => {
  it('the calibrator sees the captured frames before colour correction; the detector sees them corrected', async () => {
    const seen: string[] = [];
    const detected: string[] = [];
    const card = { colourReference: REF, classes: [] } as unknown as ModelCard;
    const frames: CaptureEvent[] = [0, 1, 2].map((seq) => ({ kind: 'frame', frame: tinyFrame(seq, seq, [100, 100, 100]) }));
    const { from, lastValueFrom, toArray } = await import('rxjs');
    await lastValueFrom(
      livePipeline({
        source: 'test',
        events: from(frames),
        metrics: false,
        detector: {
          card,
          detect: async (f: Frame) => {
            detected.push(rgbOf(f));
            return emptyDetections(f.width, f.height, []);
          },
        },
        calibration: { observe: (f) => seen.push(rgbOf(f)), colour: () => GAINS },
      }).pipe(toArray()),
    );
    expect(seen).toEqual(['100,100,100', '100,100,100', '100,100,100']);
    expect(detected[0]).toBe('50,100,200');
  });
});

describe('stableTransform (normaliseColour keeps one transform object per value)', () => {
  it('gives back the first object for equal values, so the LUT cached per object is built once; a new value replaces it', () => {
    const stable = stableTransform();
    const a: ColourTransform = { wbGains: [0.5, 1, 2], stain: null };
    const aAgain: ColourTransform = { wbGains: [0.5, 1, 2], stain: null }; // a calibration worker's next report, same values
    const b: ColourTransform = { wbGains: [0.6, 1, 2], stain: null };
    expect(stable(null)).toBeNull();
    expect(stable(a)).toBe(a);
    expect(stable(aAgain)).toBe(a);
    expect(stable(b)).toBe(b);
    expect(stable(aAgain)).toBe(aAgain);
    expect(stable(a)).toBe(aAgain);
  });

  it('corrects frames the same when the calibration hands over a new, equal transform object per frame', () => {
    const frame = tinyFrame(0, 0, [100, 120, 140]);
    const out: string[] = [];
    const fresh = () => ({ wbGains: [0.5, 1, 2], stain: null }) as ColourTransform;
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot<Frame>('-a-b-', { a: frame, b: { ...frame, seq: 1 } });
      expectObservable(source.pipe(normaliseColour(REF, {}, { transform: fresh }), map((f) => (out.push(rgbOf(f)), 'x')))).toBe('-x-x-');
    });
    expect(out).toEqual([rgbOf({ ...frame, rgb: applyColourTransform(frame.rgb, GAINS) }), rgbOf({ ...frame, rgb: applyColourTransform(frame.rgb, GAINS) })]);
  });
});
