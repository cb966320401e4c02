import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** A tiny random-weight DETR-shaped model (NOT a detector): see fixtures/make_tiny_model.py. */
export const TINY_MODEL = join(FIXTURES, 'tiny-detr.onnx');
export const TINY_CARD = join(FIXTURES, 'tiny-detr.json');

export async function tempDir(prefix = 'leukoscan-detect-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Copies the tiny model and card into a temp dir, with card edits applied. */
export async function tinyModelCopy(edit: (card: Record<string, unknown>) => void = () => {}, name = 'model'): Promise<string> {
  const dir = await tempDir();
  const model = join(dir, `${name}.onnx`);
  await copyFile(TINY_MODEL, model);
  const card = JSON.parse(await readFile(TINY_CARD, 'utf8')) as Record<string, unknown>;
  edit(card);
  await writeFile(join(dir, `${name}.json`), JSON.stringify(card));
  return model;
}
