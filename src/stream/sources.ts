/**
 * Sources `leukoscan serve` accepts: everything src/capture parses (a file,
 * rtsp://…, v4l2:///dev/videoN, test:PATTERN) plus `sim:` — a simulated slide
 * scan rendered from the BCCD data by src/sim, paced in real time.
 *
 *   sim:                         seed 1, 10 fps, 120 s
 *   sim:seed=3,fps=8,duration=300
 *
 * The sim: source itself is simulatedCapture() in sim-source.ts (rendered in a worker thread).
 */
import { parseSourceUri } from '../capture/source-uri.js';
import type { SimSourceSpec } from '../sim/sim-source.js';

export type { SimSourceSpec } from '../sim/sim-source.js';

export const SIM_SOURCE_DEFAULTS = { seed: 1, fps: 10, durationS: 120 } as const;

const SIM_KEYS = { seed: 'seed', fps: 'fps', duration: 'durationS' } as const;

export function isSimUri(uri: string): boolean {
  return /^sim:/i.test(uri.trim());
}

export function parseSimUri(uri: string): SimSourceSpec {
  const text = uri.trim();
  if (!isSimUri(text)) throw new Error(`Bad source URI '${uri}': not a sim: URI`);
  const spec: { seed: number; fps: number; durationS: number } = { ...SIM_SOURCE_DEFAULTS };
  const rest = text.slice(4).replace(/^\/\//, '');
  if (rest.length > 0) {
    for (const part of rest.split(',')) {
      const [key, value] = part.split('=');
      const field = SIM_KEYS[key?.trim() as keyof typeof SIM_KEYS];
      const n = Number(value);
      if (field === undefined) throw new Error(`Bad source URI '${uri}': unknown sim option '${key}' (seed, fps, duration)`);
      if (!Number.isFinite(n) || n <= 0 || (field === 'seed' && !Number.isInteger(n))) {
        throw new Error(`Bad source URI '${uri}': ${key} must be a positive number, got '${value}'`);
      }
      if (field === 'fps' && n > 60) throw new Error(`Bad source URI '${uri}': fps must be at most 60`);
      spec[field] = n;
    }
  }
  return { kind: 'sim', uri: text, ...spec };
}

/** Throws with a message naming the problem when `uri` is not a source serve can open. */
export function validateServeSource(uri: string): void {
  if (isSimUri(uri)) parseSimUri(uri);
  else parseSourceUri(uri);
}
