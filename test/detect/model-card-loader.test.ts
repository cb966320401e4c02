import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardPathForModel, loadModelCard, ModelCardError } from '../../src/detect/model-card-loader.js';
import { tempDir, TINY_CARD } from './helpers.js';

describe('model card loading', () => {
  it('loads and validates the tiny fixture card', async () => {
    const card = await loadModelCard(TINY_CARD);
    expect(card.classes).toEqual(['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'RBC', 'Platelets']);
    expect(card.input).toEqual({ width: 64, height: 48 });
  });

  it('finds the card beside the model; an int8 file has its own', () => {
    expect(cardPathForModel('models/leukoscan-lite.onnx')).toBe('models/leukoscan-lite.json');
    expect(cardPathForModel('models/leukoscan-lite.int8.onnx')).toBe('models/leukoscan-lite.int8.json');
  });

  it('MISSING CARD - names the file', async () => {
    const file = join(await tempDir(), 'nope.json');
    await expect(loadModelCard(file)).rejects.toThrow(`Model card ${file}: not found`);
  });

  it('CORRUPT CARD - not JSON, names the file', async () => {
    const file = join(await tempDir(), 'bad.json');
    await writeFile(file, '{"name": "x", ');
    const err = await loadModelCard(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelCardError);
    expect((err as Error).message).toMatch(new RegExp(`^Model card ${file}: not valid JSON`));
  });

  it('INVALID CARD - names the file and every bad field', async () => {
    const file = join(await tempDir(), 'bad.json');
    const card = JSON.parse(await (await import('node:fs/promises')).readFile(TINY_CARD, 'utf8'));
    delete card.classes;
    card.input.width = -3;
    card.resize = 'letterbox';
    await writeFile(file, JSON.stringify(card));
    const err = (await loadModelCard(file).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`Model card ${file}: invalid card:`);
    expect(err.message).toContain('classes');
    expect(err.message).toContain('input.width');
    expect(err.message).toContain('resize');
  });
});
