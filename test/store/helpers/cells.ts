import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEUKOCYTE_TYPES, type LeukocyteType } from '../../../src/core/classes.js';
import type { CountedCellInput, ScanStart } from '../../../src/store/types.js';
import type { CountedCell } from '../../../src/track/types.js';

/** A fresh temporary data directory; call the returned cleanup in afterEach. */
export function tempHome(prefix = 'leukoscan-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const SCAN_START: ScanStart = {
  source: '/dev/video0',
  model: { name: 'leukoscan-lite', sha256: 'ab'.repeat(32), version: '2026-11-26' },
  colourProfile: { labMean: [70, 10, -5], gains: [1.02, 1, 0.97] },
  operator: 'tech.a',
  target: 100,
  softwareVersion: '0.1.0',
  startedAtMs: 1_764_000_000_000,
};

/** Deterministic counted cell `i`: type cycles through the five types unless given. */
export function cell(i: number, type?: LeukocyteType, crop?: Uint8Array): CountedCellInput {
  const t = type ?? LEUKOCYTE_TYPES[i % LEUKOCYTE_TYPES.length];
  return {
    trackId: i + 1,
    type: t,
    confidence: 0.5 + (i % 5) / 10,
    votes: { [t]: 3.2, LYM: 0.4 },
    slide: { x: 100 + i * 7, y: 50 + i * 3, width: 40, height: 42 },
    segment: Math.floor(i / 50),
    firstSeenMs: 1_764_000_000_000 + i * 100,
    lastSeenMs: 1_764_000_000_000 + i * 100 + 80,
    cropJpeg: crop ?? null,
  };
}

export function cells(from: number, n: number): CountedCellInput[] {
  return Array.from({ length: n }, (_, k) => cell(from + k));
}

/** A tracker's counted cell `id` (the shape the track adapter reads), with any field overridden. */
export function trackedCountedCell(id: number, type: CountedCell['type'], over: Partial<CountedCell> = {}): CountedCell {
  return {
    id,
    segment: 0,
    type,
    confidence: 0.8,
    slideX: 130,
    slideY: 110,
    slideBox: { x1: 100, y1: 80, x2: 160, y2: 140 },
    firstSeenSeq: 1,
    lastSeenSeq: 4,
    firstSeenMs: 1000,
    lastSeenMs: 1300,
    countedSeq: 4,
    ...over,
  };
}
