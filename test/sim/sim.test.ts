import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/core/csv.js';
import { parseVocWbcBoxes } from '../../src/sim/bccd.js';
import { CAMERA_PATH_DEFAULTS, cameraPath } from '../../src/sim/camera-path.js';
import { buildMosaic } from '../../src/sim/mosaic.js';
import { oracleDetections } from '../../src/sim/oracle.js';
import { scoreScan, summarise } from '../../src/sim/score.js';
import type { AnnotatedField, GroundTruth, SlideCell } from '../../src/sim/types.js';
import { VideoWriter, readVideoFrames } from '../../src/sim/video-io.js';
import type { CountedCell } from '../../src/track/types.js';

const base = { seed: 3, slideWidth: 1800, slideHeight: 900, frameWidth: 640, frameHeight: 480, fps: 10, durationS: 40 };

describe('cameraPath', () => {
  const path = cameraPath({ ...CAMERA_PATH_DEFAULTS, ...base });

  it('stays on the slide, one frame per 1/fps, with bounded steps', () => {
    expect(path).toHaveLength(400);
    for (const [i, p] of path.entries()) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(base.slideWidth - base.frameWidth);
      expect(p.y).toBeLessThanOrEqual(base.slideHeight - base.frameHeight);
      if (i > 0) expect(Math.hypot(p.x - path[i - 1].x, p.y - path[i - 1].y)).toBeLessThan(0.2 * 480 + 5);
    }
  });

  it('has pauses, a back-and-forth, a return pass, blur episodes and illumination drift', () => {
    const phases = new Set(path.map((p) => p.phase));
    expect([...phases].sort()).toEqual(['pause', 'raster', 'return', 'reverse']);
    expect(path.some((p) => p.blurSigma > 2)).toBe(true);
    const gains = path.map((p) => p.gain);
    expect(Math.max(...gains) - Math.min(...gains)).toBeGreaterThan(0.05);
  });

  it('is reproducible from its seed and differs between seeds', () => {
    expect(cameraPath({ ...CAMERA_PATH_DEFAULTS, ...base })).toEqual(path);
    expect(cameraPath({ ...CAMERA_PATH_DEFAULTS, ...base, seed: 4 })).not.toEqual(path);
  });

  it('a jump at the end lands far from the last view', () => {
    const p = cameraPath({ ...CAMERA_PATH_DEFAULTS, ...base, jumpAtEnd: true });
    const j = p.findIndex((f) => f.phase === 'jump');
    expect(j).toBeGreaterThan(0);
    expect(Math.hypot(p[j].x - p[j - 1].x, p[j].y - p[j - 1].y)).toBeGreaterThan(640);
  });

  it('TOO FAST - refuses a path faster than registration can follow', () => {
    expect(() => cameraPath({ ...CAMERA_PATH_DEFAULTS, ...base, fps: 2, durationS: 8 })).toThrow(/px per frame is too fast \(max 96\); raise --duration or --fps/);
  });
});

function solidField(name: string, colour: [number, number, number], cells: AnnotatedField['cells'] = []): AnnotatedField {
  const w = 100;
  const h = 80;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set(colour, i * 3);
  return { name, width: w, height: h, rgb, cells };
}

describe('buildMosaic', () => {
  const m = buildMosaic(
    [
      solidField('a', [200, 0, 0], [{ box: { x1: 20, y1: 20, x2: 40, y2: 40 }, type: 'NEU' }, { box: { x1: 0, y1: 30, x2: 15, y2: 50 }, type: 'EOS' }]),
      solidField('b', [0, 200, 0], [{ box: { x1: 5, y1: 20, x2: 25, y2: 40 }, type: 'LYM' }, { box: { x1: 50, y1: 20, x2: 70, y2: 40 }, type: null }]),
    ],
    { cols: 2, rows: 1, seamPx: 20, edgePx: 2 },
  );

  it('tiles fields with overlap and blends across the seam', () => {
    expect([m.width, m.height]).toEqual([180, 80]);
    const px = (x: number, y: number) => Array.from(m.rgb.subarray((y * m.width + x) * 3, (y * m.width + x) * 3 + 3));
    expect(px(10, 40)).toEqual([200, 0, 0]);
    expect(px(170, 40)).toEqual([0, 200, 0]);
    const mid = px(90, 40);
    expect(mid[0]).toBeGreaterThan(80);
    expect(mid[1]).toBeGreaterThan(80);
  });

  it('places cells on the slide and marks cut, seam and untyped ones as ignored', () => {
    const byType = (t: string | null) => m.cells.find((c) => c.type === t)!;
    expect(byType('NEU')).toMatchObject({ box: { x1: 20, y1: 20, x2: 40, y2: 40 }, ignore: false });
    expect(byType('EOS')).toMatchObject({ ignore: true, ignoreReason: 'cut by image edge' });
    expect(byType('LYM')).toMatchObject({ box: { x1: 85, x2: 105 }, ignore: true, ignoreReason: 'centred in a seam' });
    expect(byType(null)).toMatchObject({ box: { x1: 130 }, ignore: true, ignoreReason: 'untyped' });
  });
});

describe('oracleDetections', () => {
  const cells: SlideCell[] = [
    { id: 1, box: { x1: 100, y1: 100, x2: 160, y2: 160 }, type: 'NEU', field: 'f', ignore: false, ignoreReason: null },
    { id: 2, box: { x1: 380, y1: 100, x2: 440, y2: 160 }, type: 'LYM', field: 'f', ignore: false, ignoreReason: null },
    { id: 3, box: { x1: 395, y1: 200, x2: 455, y2: 260 }, type: 'MON', field: 'f', ignore: false, ignoreReason: null },
    { id: 4, box: { x1: 200, y1: 200, x2: 260, y2: 260 }, type: null, field: 'f', ignore: true, ignoreReason: 'untyped' },
  ];
  it('projects typed cells into the frame, clipped; mostly hidden and untyped cells are left out', () => {
    const d = oracleDetections({ cells }, { x: 50, y: 50 }, 350, 300);
    expect(Array.from(d.boxes)).toEqual([50, 50, 110, 110, 330, 50, 350, 110]);
    expect(Array.from(d.classIds).map((i) => d.classNames[i])).toEqual(['NEU', 'LYM']);
  });
});

describe('scoreScan', () => {
  const gtCells: SlideCell[] = [
    { id: 1, box: { x1: 100, y1: 100, x2: 160, y2: 160 }, type: 'NEU', field: 'f', ignore: false, ignoreReason: null },
    { id: 2, box: { x1: 300, y1: 100, x2: 360, y2: 160 }, type: 'LYM', field: 'f', ignore: false, ignoreReason: null },
    { id: 3, box: { x1: 500, y1: 100, x2: 560, y2: 160 }, type: 'EOS', field: 'f', ignore: true, ignoreReason: 'centred in a seam' },
  ];
  const gt: Pick<GroundTruth, 'cells' | 'path' | 'options'> = {
    cells: gtCells,
    options: { seed: 1, frameWidth: 700, frameHeight: 300, fps: 1, durationS: 3, cols: 1, rows: 1 },
    path: [0, 1, 2].map((i) => ({ index: i, timeS: i, x: 0, y: 0, blurSigma: 0, gain: 1, phase: 'raster' as const })),
  };
  const cell = (id: number, x: number, y: number, type: CountedCell['type'], segment = 0): CountedCell => ({
    id, segment, type, confidence: 1, slideX: x, slideY: y, slideBox: { x1: x - 30, y1: y - 30, x2: x + 30, y2: y + 30 },
    firstSeenSeq: 0, lastSeenSeq: 0, firstSeenMs: 0, lastSeenMs: 0, countedSeq: 0,
  });

  it('counts right, double, false and ignored counts in mosaic coordinates', () => {
    // segment 0 starts at mosaic (10, 0): counted coordinates are 10 px left of the mosaic's
    const s = scoreScan(gt, [cell(1, 120, 130, 'NEU'), cell(2, 125, 131, 'NEU'), cell(3, 320, 130, 'MON'), cell(4, 520, 130, 'EOS'), cell(5, 620, 250, 'BAS')], new Map([[0, { x: 10, y: 0 }]]));
    expect(s).toMatchObject({ expected: 2, found: 2, correct: 2, doubleCounts: 1, falseCounts: 1, ignoredCounts: 1, typedRight: 1 });
    const sum = summarise(s);
    expect(sum.recall).toBe(1);
    expect(sum.precision).toBeCloseTo(2 / 4, 9);
    expect(sum.doubleCountRate).toBeCloseTo(1 / 4, 9);
    expect(sum.countedTotal).toBe(4);
    expect(sum.totalErrorPercent).toBeCloseTo(100, 9);
  });

  it('a missed cell lowers recall', () => {
    const s = summarise(scoreScan(gt, [cell(1, 130, 130, 'NEU')], new Map([[0, { x: 0, y: 0 }]])));
    expect(s.recall).toBe(0.5);
    expect(s.differentialErrorPoints).toBeCloseTo(50, 9);
  });
});

describe('bccd parsing', () => {
  it('parses quoted CSV fields', () => {
    expect(parseCsv('a,b,c\n1,"x, y",3\r\n')).toEqual([['a', 'b', 'c'], ['1', 'x, y', '3']]);
  });
  it('reads WBC boxes from VOC XML and skips other classes', () => {
    const xml = '<annotation><object><name>RBC</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object>' +
      '<object><name>WBC</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object></annotation>';
    expect(parseVocWbcBoxes(xml)).toEqual([{ x1: 10, y1: 20, x2: 30, y2: 40 }]);
  });
});

describe('video I/O (ffmpeg)', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes frames to H.264 and reads every one back, pulled one at a time', async () => {
    dir = await mkdtemp(join(tmpdir(), 'leukoscan-sim-'));
    const file = join(dir, 'v.mp4');
    const w = new VideoWriter({ file, width: 64, height: 48, fps: 10 });
    for (let i = 0; i < 6; i++) {
      const rgb = new Uint8Array(64 * 48 * 3).fill(40 * i);
      await w.write({ seq: i, timestampMs: 0, width: 64, height: 48, rgb });
    }
    await w.close();
    const grey: number[] = [];
    for await (const f of readVideoFrames(file, { width: 64, height: 48, startMs: 0, fps: 10 })) {
      grey.push(f.rgb[64 * 24 * 3 + 32 * 3]);
      expect(f.timestampMs).toBe(f.seq * 100);
    }
    expect(grey).toHaveLength(6);
    grey.forEach((g, i) => expect(Math.abs(g - 40 * i)).toBeLessThan(8));
  });

  it('MISSING VIDEO - reading a missing file fails naming the file', async () => {
    const it = readVideoFrames('/nonexistent/clip.mp4', { width: 64, height: 48, startMs: 0, fps: 10 });
    await expect(it.next()).rejects.toThrow(/^Video \/nonexistent\/clip.mp4: cannot be decoded/);
  });
});
