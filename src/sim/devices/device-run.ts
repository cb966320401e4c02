import { type Rng, createRng } from '../rng.js';
import { SLIDE_VIEW_DEFAULTS } from './slide-view.js';
import { deviceLayout, renderDeviceFrame } from './render-device.js';
import type { DeviceFrame, DeviceSourceField, DeviceSpec } from './types.js';

/** Timestamp of the first frame of every device run (fixed, so runs are reproducible). */
const START_MS = Date.UTC(2026, 0, 1);
const FRAME_INTERVAL_MS = 100;

/** A stable 32-bit hash of a device name, so a device's frames do not depend on which other devices run. */
export function nameSeed(name: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface DeviceRunPlan {
  readonly frames: number;
  readonly fieldsPerFrame: number;
}

/** Frames needed so that the device shows at least `fields` source fields: ceil(fields / (cols · rows)). */
export function planDeviceRun(spec: DeviceSpec, field: { width: number; height: number }, fields: number): DeviceRunPlan {
  const { cols, rows } = deviceLayout(spec, field.width, field.height);
  const fieldsPerFrame = cols * rows;
  return { frames: Math.max(1, Math.ceil(fields / fieldsPerFrame)), fieldsPerFrame };
}

/** A source box within this many pixels of its image edge is cut (as SLIDE_VIEW_DEFAULTS.edgePx). */
function hasWholeCell(f: DeviceSourceField, edgePx = SLIDE_VIEW_DEFAULTS.edgePx): boolean {
  return f.cells.some((c) => c.box.x1 > edgePx && c.box.y1 > edgePx && c.box.x2 < f.width - edgePx && c.box.y2 < f.height - edgePx);
}

/**
 * The pool in a seeded order, fields with a whole (scored) leukocyte first: a small run then
 * scores as many leukocytes as it can (BCCD test: 48 of 72 fields have one); a full run uses all.
 */
export function informativeOrder(pool: readonly DeviceSourceField[], rng: Rng): DeviceSourceField[] {
  return [...rng.shuffle(pool.filter((f) => hasWholeCell(f))), ...rng.shuffle(pool.filter((f) => !hasWholeCell(f)))];
}

/**
 * The frames of one device: `fields` source fields' worth of slide (at least one frame), the
 * pool's fields in informativeOrder, each frame's cols x rows fields taken in turn (reordered
 * when the pool runs out). Deterministic per (device name, seed). Pure; lazy.
 */
export function* deviceFrames(spec: DeviceSpec, pool: readonly DeviceSourceField[], options: { fields: number; seed: number }): Generator<DeviceFrame> {
  if (pool.length === 0) throw new Error(`device ${spec.name}: no source fields`);
  const rng = createRng(nameSeed(spec.name, options.seed));
  const plan = planDeviceRun(spec, pool[0], options.fields);
  if (plan.fieldsPerFrame > pool.length) throw new Error(`device ${spec.name}: one frame needs ${plan.fieldsPerFrame} fields, the pool has ${pool.length}`);
  let order = informativeOrder(pool, rng);
  let next = 0;
  for (let i = 0; i < plan.frames; i++) {
    if (next + plan.fieldsPerFrame > order.length) {
      order = informativeOrder(pool, rng);
      next = 0;
    }
    const fields = order.slice(next, next + plan.fieldsPerFrame);
    next += plan.fieldsPerFrame;
    yield renderDeviceFrame({ spec, fields, index: i, timestampMs: START_MS + i * FRAME_INTERVAL_MS, rng });
  }
}

/**
 * The frames of a real device: each of `fields` fields of the pool (in a seeded order) as it is,
 * at its own size; its leukocytes cut by the image edge are ignored, as for the simulated devices.
 */
export function* realDeviceFrames(name: string, pool: readonly DeviceSourceField[], options: { fields: number; seed: number }): Generator<DeviceFrame> {
  const rng = createRng(nameSeed(name, options.seed));
  const order = informativeOrder(pool, rng).slice(0, Math.max(1, options.fields));
  for (const [i, f] of order.entries()) {
    const spec: DeviceSpec = { name, description: `${name} field as it is`, magnification: 1, frame: { width: f.width, height: f.height } };
    yield renderDeviceFrame({ spec, fields: [f], index: i, timestampMs: START_MS + i * FRAME_INTERVAL_MS, rng });
  }
}
