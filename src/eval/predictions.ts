import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import type { CocoDetectionRecord } from '../detect/output-formats.js';
import type { DetectionBox } from './coco-eval.js';
import { canonicalCategory, mergeWbc } from './category-names.js';

const recordSchema = z.object({
  file_name: z.string().min(1),
  category: z.string().min(1),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  score: z.number(),
});

export class PredictionsError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Predictions ${file}: ${detail}`);
    this.name = 'PredictionsError';
  }
}

export interface PredictionOptions {
  readonly mergeWbc: boolean;
}

/**
 * Pure: `detect --format coco` records -> detections keyed by image id (file
 * stem). With mergeWbc, leukocyte types become 'WBC'; a DETR query that scored
 * several types yields the same box several times, and these collapse to one
 * WBC detection with the best score (as training/postprocess.py's merge_wbc
 * scores WBC per query as the max over the types).
 */
export function recordsToDetections(records: readonly CocoDetectionRecord[], opts: PredictionOptions): DetectionBox[] {
  const out: DetectionBox[] = [];
  const merged = new Map<string, number>(); // key -> index in out
  for (const r of records) {
    const cat = canonicalCategory(r.category);
    const det: DetectionBox = {
      imageId: basename(r.file_name, extname(r.file_name)),
      category: opts.mergeWbc ? mergeWbc(cat) : cat,
      bbox: r.bbox,
      score: r.score,
    };
    if (opts.mergeWbc && det.category === 'WBC') {
      const key = `${det.imageId}\u0000${det.bbox.join(',')}`;
      const at = merged.get(key);
      if (at !== undefined) {
        if (det.score > out[at].score) out[at] = det;
        continue;
      }
      merged.set(key, out.length);
    }
    out.push(det);
  }
  return out;
}

/** Reads a predictions file as written by `leukoscan detect --format coco`. */
export async function readPredictions(file: string, opts: PredictionOptions): Promise<DetectionBox[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PredictionsError(file, code === 'ENOENT' ? 'not found' : `cannot be read as JSON (${(err as Error).message})`);
  }
  const r = z.array(recordSchema).safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new PredictionsError(file, `not a 'detect --format coco' file (${i.path.join('.')}: ${i.message})`);
  }
  return recordsToDetections(r.data, opts);
}
