import { z } from 'zod';
import type { TyperCard } from '../core/model-card.js';
import { ModelCardError, readCardJson } from './model-card-loader.js';

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** Schema of models/leukoscan-typer.json; extra fields are kept. */
export const typerCardSchema = z.looseObject({
  name: z.string().min(1),
  kind: z.literal('leukocyte-typer'),
  classes: z.array(z.string().min(1)).min(2),
  input: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  crop: z.object({ rule: z.literal('square-clamped'), pad: z.number().min(0), resize: z.literal('pil-bilinear') }),
  mean: triple,
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  outputs: z.object({ logits: z.string().min(1) }),
  metrics: z.record(z.string(), z.unknown()),
  date: z.string(),
});

/** The shipped typer's file name, beside the detector in models/. */
export const DEFAULT_TYPER_FILE = 'leukoscan-typer.onnx';

export async function loadTyperCard(file: string): Promise<TyperCard> {
  const json = await readCardJson(file, 'the typer needs its card beside it');
  const r = typerCardSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    throw new ModelCardError(file, `invalid typer card: ${issues}`);
  }
  return r.data as TyperCard;
}
