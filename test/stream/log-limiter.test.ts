import { describe, expect, it } from 'vitest';
import { LogLimiter } from '../../src/stream/log-limiter.js';

describe('LogLimiter (refused connections)', () => {
  it('FLOOD - writes at most maxLines per window, then says how many it left out', () => {
    const lines: string[] = [];
    let t = 0;
    const limiter = new LogLimiter((l) => lines.push(l), { maxLines: 3, windowMs: 10_000 }, () => t);
    for (let i = 0; i < 1000; i++) limiter.write(`refused a viewer from 10.0.0.9: 401 Unauthorized (${i})`);
    expect(lines).toHaveLength(3);
    t = 10_000;
    limiter.write('refused a viewer from 10.0.0.9: 401 Unauthorized (late)');
    expect(lines.slice(3)).toEqual(['(997 more like it in the last 10 s were not logged)', 'refused a viewer from 10.0.0.9: 401 Unauthorized (late)']);
  });

  it('a quiet peer is logged in full', () => {
    const lines: string[] = [];
    let t = 0;
    const limiter = new LogLimiter((l) => lines.push(l), { maxLines: 2, windowMs: 1000 }, () => t);
    for (let i = 0; i < 5; i++, t += 1000) limiter.write(`line ${i}`);
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });
});
