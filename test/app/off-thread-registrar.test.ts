/**
 * OffThreadRegistrar: the stage registration in a worker thread gives the same numbers as the
 * Registrar on the calling thread (REAL registrar, REAL worker, synthetic slide), in order,
 * with a bounded queue, a reset per scan and a worker that ends with release().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OffThreadRegistrar } from '../../src/app/off-thread-registrar.js';
import type { Frame } from '../../src/core/frame.js';
import { TRACK_DEFAULTS } from '../../src/track/config.js';
import { Registrar } from '../../src/track/registration/registrar.js';
import type { FrameRegistration } from '../../src/track/types.js';
import { blobCanvas, view } from '../track/synthetic.js';

const W = 320;
const H = 240;
const canvas = blobCanvas(1200, 900, 7);
const other = blobCanvas(1200, 900, 99);
const config = TRACK_DEFAULTS.registration;

/** A scan with every kind of movement the registrar tells apart (as in test/track/registration.test.ts). */
function scanFrames(): Frame[] {
  const frames: Frame[] = [];
  const at = (x: number, y: number, blur = 0, slide = canvas) => frames.push(view(slide, frames.length, x, y, W, H, blur));
  for (let i = 0; i < 10; i++) at(100 + i * 20, 100); // moving
  for (let i = 0; i < 3; i++) at(280, 100); // paused
  for (let i = 0; i < 3; i++) at(265 - i * 15, 100); // reversal
  at(235, 100, 5); // blurred
  for (let i = 0; i < 4; i++) at(500 + i * 5, 500, 0, other); // jump: an unrelated slide area
  at(150, 110); // jump back onto the first map (relocalised)
  for (let i = 1; i < 4; i++) at(150 + i * 12.2, 110);
  return frames;
}

const withoutFrame = ({ frame: _frame, ...registration }: ReturnType<Registrar['update']>): FrameRegistration => registration;

const owned: OffThreadRegistrar[] = [];
afterEach(async () => {
  for (const r of owned.splice(0)) await r.release();
});
function start(maxPending?: number): OffThreadRegistrar {
  const r = new OffThreadRegistrar({ config, ...(maxPending === undefined ? {} : { maxPending }) });
  owned.push(r);
  return r;
}

/** Schedules every frame (none droppable) and resolves with what each apply was given, in call order. */
function registerAll(r: OffThreadRegistrar, frames: readonly Frame[]): Promise<{ seq: number; registration: FrameRegistration | undefined }[]> {
  return new Promise((resolve, reject) => {
    const out: { seq: number; registration: FrameRegistration | undefined }[] = [];
    for (const frame of frames) {
      r.schedule(frame, { droppable: false }, (registration) => {
        out.push({ seq: frame.seq, registration });
        if (out.length === frames.length) resolve(out);
      }, reject);
    }
  });
}

describe('OffThreadRegistrar', () => {
  it('registers a scan with the same numbers as the Registrar on this thread, in order', async () => {
    const frames = scanFrames();
    const inline = new Registrar(config);
    const expected = frames.map((f) => withoutFrame(inline.update(f)));
    // the scan exercises start, moving, paused, reversal, blur, jump and relocalisation
    expect(new Set(expected.map((e) => e.motion))).toEqual(new Set(['start', 'moving', 'paused', 'jump']));
    expect(expected.some((e) => e.reversal)).toBe(true);
    expect(expected.some((e) => !e.sharp)).toBe(true);
    expect(expected.some((e) => e.revisit)).toBe(true);

    const got = await registerAll(start(), frames);
    expect(got.map((g) => g.seq)).toEqual(frames.map((f) => f.seq));
    expect(got.map((g) => g.registration)).toEqual(expected);
  });

  it('passes undefined for a frame sent before (a late detection: the counter has its registration), after the earlier ones', async () => {
    const frames = scanFrames().slice(0, 4);
    const got = await registerAll(start(), [frames[0], frames[1], frames[0], frames[2]]);
    expect(got.map((g) => [g.seq, g.registration === undefined])).toEqual([
      [0, false],
      [1, false],
      [0, true],
      [2, false],
    ]);
  });

  it('reset() starts a new Registrar for the frames sent after it', async () => {
    const frames = scanFrames();
    const r = start();
    await registerAll(r, frames.slice(0, 5));
    r.reset();
    const after = await registerAll(r, frames.slice(5, 8));
    const inline = new Registrar(config);
    expect(after.map((a) => a.registration)).toEqual(frames.slice(5, 8).map((f) => withoutFrame(inline.update(f))));
    expect(after[0].registration!.motion).toBe('start');
  });

  it('BOUNDED QUEUE - leaves out droppable frames while maxPending wait for the worker, never a frame sent to the detector', async () => {
    const frames = scanFrames().slice(0, 6);
    const r = start(2);
    const applied: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      for (const frame of frames) {
        const droppable = frame.seq !== 5; // frame 5 went to the detector: its detection will come
        r.schedule(frame, { droppable }, () => {
          applied.push(frame.seq);
          if (frame.seq === 5) resolve();
        }, reject);
      }
    });
    await done;
    expect(applied).toEqual([0, 1, 5]);
    expect(r.dropped).toBe(3);
  });

  it('RELEASED - release() ends the worker; a later frame reports the error once', async () => {
    const r = start();
    await registerAll(r, scanFrames().slice(0, 1));
    await r.release();
    const errors: string[] = [];
    for (const frame of scanFrames().slice(1, 4)) r.schedule(frame, { droppable: false }, () => errors.push('applied'), (err) => errors.push(err.message));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).toEqual(['the registration worker was released']);
  });
});
