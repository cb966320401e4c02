import type { TyperCard } from '../core/model-card.js';

/**
 * Which detections the typer re-types: those whose class is one of the
 * typer's types (the leukocytes). Returns their indices.
 */
export function leukocyteIndices(classIds: Int32Array, classNames: readonly string[], typer: Pick<TyperCard, 'classes'>): number[] {
  const out: number[] = [];
  for (let i = 0; i < classIds.length; i++) if (typer.classes.includes(classNames[classIds[i]])) out.push(i);
  return out;
}

/**
 * The typer's verdict: each re-typed detection takes the type with the
 * highest typer logit (softmax is monotonic); its box and score (the
 * detector's confidence that a leukocyte is there) stay. Pure.
 *
 * logits: [indices.length * T], typer class order. Returns new class ids.
 */
export function retype(
  classIds: Int32Array,
  indices: readonly number[],
  logits: Float32Array,
  classNames: readonly string[],
  typer: Pick<TyperCard, 'classes'>,
): Int32Array {
  const t = typer.classes.length;
  if (logits.length !== indices.length * t) {
    throw new Error(`typer returned ${logits.length} logits for ${indices.length} crops x ${t} types`);
  }
  const out = Int32Array.from(classIds);
  indices.forEach((det, k) => {
    let best = 0;
    for (let j = 1; j < t; j++) if (logits[k * t + j] > logits[k * t + best]) best = j;
    const id = classNames.indexOf(typer.classes[best]);
    if (id < 0) throw new Error(`typer type '${typer.classes[best]}' is not a detector class`);
    out[det] = id;
  });
  return out;
}
