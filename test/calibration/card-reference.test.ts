/** The calibration's reference values in the shipped model cards (trainingScale, cell colour). */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadModelCard, parseModelCard } from '../../src/detect/model-card-loader.js';
import { median, rbcBoxSizes, splitIds } from '../../bench/calibration/bccd-rbc-fields.js';
import { dataAvailable, NEEDS_DATA, SHARED_DATA } from '../data.js';

const CARDS = ['leukoscan-lite.json', 'leukoscan-lite.int8.json'].map((f) => fileURLToPath(new URL(`../../models/${f}`, import.meta.url)));
// BCCD trainval is not in the demo slide: the full data only.
const root = SHARED_DATA;

describe('shipped cards carry the calibration reference', () => {
  it.each(CARDS)('%s: trainingScale and cell L*a*b* statistics', async (file) => {
    const card = await loadModelCard(file);
    expect(card.trainingScale?.rbcDiameterPx).toBeGreaterThan(60);
    expect(card.trainingScale?.rbcDiameterPx).toBeLessThan(100);
    expect(card.trainingScale?.source).toMatch(/BCCD trainval/);
    expect(card.colourReference.cellLabMean).toHaveLength(3);
    expect(card.colourReference.cellLabStd?.every((v) => v > 0)).toBe(true);
  });

  it.skipIf(!dataAvailable)(`trainingScale is the median annotated RBC box of BCCD trainval at 512x384 ${NEEDS_DATA}`, async () => {
    const sizes: number[] = [];
    for (const id of await splitIds(root, 'trainval')) for (const s of await rbcBoxSizes(root, id)) sizes.push(s * (512 / 640));
    const card = await loadModelCard(CARDS[0]);
    expect(card.trainingScale?.rbcDiameterPx).toBeCloseTo(median(sizes), 1);
  });

  it('BAD CARD - a non-positive trainingScale is refused, naming the field', async () => {
    const card = JSON.parse(JSON.stringify(await loadModelCard(CARDS[0]))) as Record<string, unknown>;
    card.trainingScale = { rbcDiameterPx: 0, source: 'x' };
    expect(() => parseModelCard(card, 'bad.json')).toThrow(/bad\.json: invalid card: trainingScale\.rbcDiameterPx/);
  });
});
