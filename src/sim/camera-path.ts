import { createRng } from './rng.js';
import type { PathFrame } from './types.js';

export interface CameraPathOptions {
  seed: number;
  slideWidth: number;
  slideHeight: number;
  frameWidth: number;
  frameHeight: number;
  fps: number;
  durationS: number;
  /** Vertical overlap of neighbouring raster rows, fraction of the frame height. */
  rowOverlap: number;
  /** Pauses inserted at random points of the raster (besides one at each row end). */
  pauses: number;
  /** Pause length range, seconds. */
  pauseS: [number, number];
  /** Back-and-forth: distance moved back once in the middle of a row, pixels (0 = none). */
  reversePx: number;
  /** Return pass over part of the first row after the raster (revisits counted cells). */
  returnPass: boolean;
  /** Hand/stage jitter, standard deviation in pixels per frame. */
  jitterPx: number;
  /** Focus changes: number of blur episodes and their peak sigma (pixels). */
  blurEpisodes: number;
  blurPeakSigma: number;
  blurEpisodeS: number;
  /** Illumination drift: sinusoid amplitude and linear drift over the scan (fractions of 1). */
  gainAmplitude: number;
  gainDrift: number;
  /** Jump to an unrelated area at the end (no overlap: a new segment in the tracker). */
  jumpAtEnd: boolean;
}

export const CAMERA_PATH_DEFAULTS: Omit<CameraPathOptions, 'seed' | 'slideWidth' | 'slideHeight' | 'frameWidth' | 'frameHeight' | 'fps' | 'durationS'> = {
  rowOverlap: 0.3,
  pauses: 2,
  pauseS: [0.5, 1.2],
  reversePx: 140,
  returnPass: true,
  jitterPx: 0.6,
  blurEpisodes: 2,
  blurPeakSigma: 3.5,
  blurEpisodeS: 0.8,
  gainAmplitude: 0.06,
  gainDrift: 0.05,
  jumpAtEnd: false,
};

/** Largest stage step between frames that the simulator allows, as a fraction of the frame's smaller side. */
const MAX_STEP_FRACTION = 0.2;

type Leg =
  | { kind: 'move'; phase: PathFrame['phase']; from: [number, number]; to: [number, number] }
  | { kind: 'pause'; at: [number, number]; seconds: number }
  | { kind: 'jump'; to: [number, number] };

/**
 * A serpentine raster scan over the slide with row overlap, a back-and-forth
 * in one row, pauses, a return pass over the first row, jitter, blur episodes
 * and illumination drift. Speed is chosen so the whole path takes `durationS`.
 */
export function cameraPath(options: CameraPathOptions): PathFrame[] {
  const o = options;
  const rng = createRng(o.seed * 7919 + 17);
  const maxX = o.slideWidth - o.frameWidth;
  const maxY = o.slideHeight - o.frameHeight;
  if (maxX < 0 || maxY < 0) throw new Error(`camera path: frame ${o.frameWidth}x${o.frameHeight} larger than slide ${o.slideWidth}x${o.slideHeight}`);
  const step = o.frameHeight * (1 - o.rowOverlap);
  const nRows = Math.max(1, Math.ceil(maxY / step) + 1);
  const rowY = (r: number) => (nRows === 1 ? maxY / 2 : (maxY * r) / (nRows - 1));
  const legs: Leg[] = [];
  const reverseRow = nRows > 1 ? 1 : 0;
  for (let r = 0; r < nRows; r++) {
    const y = rowY(r);
    const [x0, x1] = r % 2 === 0 ? [0, maxX] : [maxX, 0];
    if (r > 0) legs.push({ kind: 'move', phase: 'raster', from: [x0, rowY(r - 1)], to: [x0, y] });
    if (r === reverseRow && o.reversePx > 0 && maxX > 3 * o.reversePx) {
      const dir = Math.sign(x1 - x0);
      const mid = x0 + (x1 - x0) * rng.uniform(0.4, 0.6);
      legs.push({ kind: 'move', phase: 'raster', from: [x0, y], to: [mid, y] });
      legs.push({ kind: 'move', phase: 'reverse', from: [mid, y], to: [mid - dir * o.reversePx, y] });
      legs.push({ kind: 'move', phase: 'raster', from: [mid - dir * o.reversePx, y], to: [x1, y] });
    } else {
      legs.push({ kind: 'move', phase: 'raster', from: [x0, y], to: [x1, y] });
    }
    legs.push({ kind: 'pause', at: [x1, y], seconds: rng.uniform(o.pauseS[0], o.pauseS[1]) });
  }
  let last = endOf(legs[legs.length - 1]);
  if (o.returnPass) {
    const a: [number, number] = [maxX * 0.6, rowY(0)];
    const b: [number, number] = [maxX * 0.1, rowY(0)];
    legs.push({ kind: 'move', phase: 'return', from: last, to: a });
    legs.push({ kind: 'move', phase: 'return', from: a, to: b });
    last = b;
  }
  if (o.jumpAtEnd) {
    // far corner: no overlap with the last view unless the slide is tiny
    const to: [number, number] = [last[0] > maxX / 2 ? 0 : maxX, last[1] > maxY / 2 ? 0 : maxY];
    legs.push({ kind: 'jump', to });
    legs.push({ kind: 'pause', at: to, seconds: 1.5 });
  }
  // random extra pauses: split move legs
  for (let i = 0; i < o.pauses; i++) {
    const moves = legs.map((l, k) => [l, k] as const).filter(([l]) => l.kind === 'move' && l.phase === 'raster');
    if (moves.length === 0) break;
    const [leg, k] = moves[rng.int(0, moves.length)];
    if (leg.kind !== 'move') continue;
    const f = rng.uniform(0.3, 0.7);
    const mid: [number, number] = [leg.from[0] + (leg.to[0] - leg.from[0]) * f, leg.from[1] + (leg.to[1] - leg.from[1]) * f];
    legs.splice(k, 1, { ...leg, to: mid }, { kind: 'pause', at: mid, seconds: rng.uniform(o.pauseS[0], o.pauseS[1]) }, { ...leg, from: mid });
  }
  const pauseTotal = legs.reduce((s, l) => s + (l.kind === 'pause' ? l.seconds : 0), 0);
  const length = legs.reduce((s, l) => s + (l.kind === 'move' ? Math.hypot(l.to[0] - l.from[0], l.to[1] - l.from[1]) : 0), 0);
  const movingS = o.durationS - pauseTotal - legs.filter((l) => l.kind === 'jump').length / o.fps;
  if (movingS <= 0) throw new Error(`camera path: duration ${o.durationS}s is shorter than the pauses (${pauseTotal.toFixed(1)}s)`);
  const speed = length / movingS;
  const stepPx = speed / o.fps;
  const maxStep = MAX_STEP_FRACTION * Math.min(o.frameWidth, o.frameHeight);
  if (stepPx > maxStep) {
    throw new Error(`camera path: ${stepPx.toFixed(0)} px per frame is too fast (max ${maxStep.toFixed(0)}); raise --duration or --fps`);
  }
  // blur episodes at random times
  const episodes = Array.from({ length: o.blurEpisodes }, () => rng.uniform(0.1, 0.9) * o.durationS);
  const blurAt = (t: number) => {
    let s = 0;
    for (const c of episodes) {
      const d = Math.abs(t - c) / (o.blurEpisodeS / 2);
      if (d < 1) s = Math.max(s, o.blurPeakSigma * (1 - d));
    }
    return s;
  };
  const phaseOffset = rng.uniform(0, 2 * Math.PI);
  const frames: PathFrame[] = [];
  const nFrames = Math.round(o.durationS * o.fps);
  let legIndex = 0;
  let legStart = 0;
  const legDuration = (l: Leg) => (l.kind === 'pause' ? l.seconds : l.kind === 'jump' ? 1 / o.fps : Math.hypot(l.to[0] - l.from[0], l.to[1] - l.from[1]) / speed);
  for (let i = 0; i < nFrames; i++) {
    const t = i / o.fps;
    while (legIndex < legs.length - 1 && t >= legStart + legDuration(legs[legIndex])) {
      legStart += legDuration(legs[legIndex]);
      legIndex++;
    }
    const leg = legs[legIndex];
    let x: number;
    let y: number;
    let phase: PathFrame['phase'];
    if (leg.kind === 'pause') {
      [x, y] = leg.at;
      phase = 'pause';
    } else if (leg.kind === 'jump') {
      [x, y] = leg.to;
      phase = 'jump';
    } else {
      const f = Math.min(1, (t - legStart) / Math.max(1e-9, legDuration(leg)));
      x = leg.from[0] + (leg.to[0] - leg.from[0]) * f;
      y = leg.from[1] + (leg.to[1] - leg.from[1]) * f;
      phase = leg.phase;
    }
    x = clamp(x + o.jitterPx * rng.normal(), 0, maxX);
    y = clamp(y + o.jitterPx * rng.normal(), 0, maxY);
    const gain = 1 + o.gainAmplitude * Math.sin((2 * Math.PI * t) / 11 + phaseOffset) + o.gainDrift * (t / o.durationS - 0.5);
    frames.push({ index: i, timeS: t, x, y, blurSigma: blurAt(t), gain, phase });
  }
  return frames;
}

function endOf(l: Leg): [number, number] {
  return l.kind === 'move' ? l.to : l.kind === 'pause' ? l.at : l.to;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
