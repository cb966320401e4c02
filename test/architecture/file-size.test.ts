/**
 * No src/ module over 350 lines (issue 23, STYLE: small modules with one job): a longer file is
 * split by job, not trimmed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
export const MAX_LINES = 350;

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listTs(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Lines of a source text (a final newline does not start a line). */
export function lineCount(text: string): number {
  if (text.length === 0) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** "file: N lines" for each file over the limit. */
export function oversized(files: readonly { file: string; text: string }[], max = MAX_LINES): string[] {
  return files.filter((f) => lineCount(f.text) > max).map((f) => `${f.file}: ${lineCount(f.text)} lines`);
}

describe('file size', () => {
  it(`FILE TOO LONG - no src/**/*.ts file is over ${MAX_LINES} lines`, () => {
    const files = listTs(join(ROOT, 'src')).map((abs) => ({ file: relative(ROOT, abs), text: readFileSync(abs, 'utf8') }));
    expect(files.length).toBeGreaterThan(100);
    expect(oversized(files)).toEqual([]);
  });

  it('the check can fail: 351 lines are too many, 350 are not', () => {
    const lines = (n: number) => 'x\n'.repeat(n);
    expect(oversized([{ file: 'src/a.ts', text: lines(351) }, { file: 'src/b.ts', text: lines(350) }])).toEqual(['src/a.ts: 351 lines']);
    expect(lineCount('a\nb')).toBe(2);
  });
});
