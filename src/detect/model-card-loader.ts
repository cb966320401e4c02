import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ModelCard } from '../core/model-card.js';

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** Schema of models/<name>.json; extra fields are kept (the card is open-ended). */
export const modelCardSchema = z.looseObject({
  name: z.string().min(1),
  classes: z.array(z.string().min(1)).min(1),
  input: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  resize: z.literal('stretch'),
  mean: triple,
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  colourReference: z.object({
    labMean: triple,
    labStd: triple,
    backgroundRgb: triple,
    cellLabMean: triple.optional(),
    cellLabStd: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
  }),
  trainingScale: z.object({ rbcDiameterPx: z.number().positive(), source: z.string().min(1) }).optional(),
  outputs: z.object({
    logits: z.string().min(1),
    boxes: z.string().min(1),
    boxConvention: z.literal('cxcywh-normalised'),
  }),
  numQueries: z.number().int().positive(),
  postprocess: z
    .object({ nmsIou: z.number().gt(0).max(1), nmsGroups: z.array(z.array(z.string().min(1))) })
    .optional(),
  onnx: z.looseObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  quantization: z.looseObject({ sourceFile: z.string().min(1), sourceSha256: z.string().regex(/^[0-9a-f]{64}$/), weightBits: z.union([z.literal(7), z.literal(8)]).optional() }).optional(),
  trainingData: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()),
  date: z.string(),
});

export class ModelCardError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Model card ${file}: ${detail}`);
    this.name = 'ModelCardError';
  }
}

/** models/foo.onnx -> models/foo.json (models/foo.int8.onnx -> models/foo.int8.json, its own card). */
export function cardPathForModel(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, '') + '.json';
}

/** Validates parsed JSON as a model card; throws ModelCardError naming `file` and the bad fields. */
export function parseModelCard(json: unknown, file: string): ModelCard {
  const result = modelCardSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelCardError(file, `invalid card: ${issues}`);
  }
  return result.data as ModelCard;
}

export async function loadModelCard(file: string): Promise<ModelCard> {
  return parseModelCard(await readCardJson(file, 'every models/<name>.onnx needs its card <name>.json beside it'), file);
}

/** Reads a card file as JSON; errors name the file (`missingHint` says what a missing card means). */
export async function readCardJson(file: string, missingHint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelCardError(file, code === 'ENOENT' ? `not found (${missingHint})` : `cannot be read (${code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelCardError(file, `not valid JSON (${(err as Error).message})`);
  }
}
