/** zod schema of a device profile (`leukoscan calibrate --out PROFILE.json`, `--profile FILE`). */
import { z } from 'zod';

const triple = z.tuple([z.number(), z.number(), z.number()]);
const positive = z.number().positive();

export const scaleEstimateSchema = z.object({
  rbcDiameterPx: positive,
  umPerPx: positive,
  rbcCount: z.number().int().nonnegative(),
  confidence: z.number().min(0).max(1),
  method: z.string().min(1),
});

export const fieldMaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('full') }),
  z.object({ kind: z.literal('circle'), cx: z.number(), cy: z.number(), r: positive }),
  z.object({ kind: z.literal('rect'), x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }),
]);

export const colourTransformSchema = z.object({
  wbGains: z.tuple([positive, positive, positive]),
  stain: z
    .object({
      method: z.literal('reinhard-lab-cells'),
      sourceMean: triple,
      sourceStd: z.tuple([positive, positive, positive]),
      targetMean: triple,
      targetStd: z.tuple([positive, positive, positive]),
      backgroundRgb: triple,
      blendOd: z.tuple([z.number().nonnegative(), z.number().nonnegative()]),
      maxStdRatio: z.number().min(1),
    })
    .nullable(),
});

export const deviceProfileSchema = z.object({
  version: z.literal(1),
  createdAt: z.iso.datetime(),
  camera: z.string(),
  frameSize: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  frames: z.number().int().positive(),
  scale: scaleEstimateSchema,
  field: fieldMaskSchema,
  colour: colourTransformSchema,
});
