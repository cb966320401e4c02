/**
 * Every ONNX file leukoscan ships in models/ has its own valid card beside it
 * (models/<name>.onnx -> models/<name>.json), whose `onnx.sha256`, where it
 * has one, is that file's hash: a re-exported or re-quantised file with an
 * old card fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../src/detect/file-hash.js';
import { cardPathForModel, loadModelCard } from '../../src/detect/model-card-loader.js';
import { loadTyperCard } from '../../src/detect/typer-card.js';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
const onnxFiles = existsSync(MODELS) ? readdirSync(MODELS).filter((f) => f.endsWith('.onnx')).sort() : [];

describe('shipped models in models/', () => {
  it('ships the default detector, its int8 sibling and the typer', () => {
    expect(onnxFiles).toEqual(expect.arrayContaining(['leukoscan-lite.onnx', 'leukoscan-lite.int8.onnx', 'leukoscan-typer.onnx']));
  });

  for (const file of onnxFiles) {
    it(`${file} has its own valid card, and the card's hash is this file's`, async () => {
      const path = join(MODELS, file);
      const cardPath = cardPathForModel(path);
      expect(existsSync(cardPath), `${cardPath} missing`).toBe(true);
      const raw = JSON.parse(readFileSync(cardPath, 'utf8')) as { kind?: string; onnx?: { sha256?: string } };
      const card = raw.kind === 'leukocyte-typer' ? await loadTyperCard(cardPath) : await loadModelCard(cardPath);
      expect(card.name.length).toBeGreaterThan(0);
      if (raw.onnx?.sha256 !== undefined) expect(raw.onnx.sha256, `${file} changed since ${cardPath} was written`).toBe(await sha256File(path));
    });
  }
});
