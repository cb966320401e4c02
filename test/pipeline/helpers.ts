import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import type { Frame } from '../../src/core/frame.js';

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A tiny solid-colour frame (2x2) with a given seq; timestampMs = seq unless given. */
export function tinyFrame(seq: number, timestampMs = seq, rgb: [number, number, number] = [10, 20, 30]): Frame {
  const data = new Uint8Array(2 * 2 * 3);
  for (let i = 0; i < 4; i++) data.set(rgb, i * 3);
  return { seq, timestampMs, width: 2, height: 2, rgb: data };
}
