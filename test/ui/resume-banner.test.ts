import { describe, expect, it } from 'vitest';
import { resumeBannerText } from '../../ui/src/resume-banner.js';

describe('resumeBannerText', () => {
  it.each([
    [{ scanId: '12', cells: 37, target: 100 }, 'Scan #12 was interrupted at 37 cells of 100.'],
    [{ scanId: '3', cells: 1, target: null }, 'Scan #3 was interrupted at 1 cell.'],
  ])('%o', (offer, text) => {
    expect(resumeBannerText(offer)).toBe(text);
  });
});
