/**
 * One file-naming rule (issue 23, STYLE): every file and folder under src/ and ui/src/ is
 * kebab-case (lower-case words joined by '-', then its extensions); README.md is the one exception.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const KEBAB_FILE = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)+$/;
const KEBAB_DIR = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const EXCEPTIONS = new Set(['README.md']);

/** Repository-relative paths under `dir` (files and folders), node_modules left out. */
function walk(dir: string): { path: string; isDir: boolean }[] {
  return readdirSync(dir)
    .filter((name) => name !== 'node_modules')
    .flatMap((name) => {
      const p = join(dir, name);
      const isDir = statSync(p).isDirectory();
      return [{ path: relative(ROOT, p), isDir }, ...(isDir ? walk(p) : [])];
    });
}

/** The paths whose last part breaks the rule. */
export function badNames(entries: readonly { path: string; isDir: boolean }[]): string[] {
  return entries
    .filter(({ path, isDir }) => {
      const name = path.split('/').at(-1) ?? '';
      return !EXCEPTIONS.has(name) && !(isDir ? KEBAB_DIR : KEBAB_FILE).test(name);
    })
    .map((e) => e.path);
}

describe('file names', () => {
  it('NOT KEBAB-CASE - every file and folder under src/ and ui/src/ is kebab-case', () => {
    const entries = [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'ui/src'))];
    expect(entries.length).toBeGreaterThan(100);
    expect(badNames(entries)).toEqual([]);
  });

  it('the check can fail: camelCase, snake_case, capitals and a camelCase folder are named', () => {
    const entries = [
      { path: 'src/a/detectLatest.ts', isDir: false },
      { path: 'src/a/snake_case.ts', isDir: false },
      { path: 'ui/src/Main.ts', isDir: false },
      { path: 'src/someDir', isDir: true },
      { path: 'src/a/detect-latest.ts', isDir: false },
      { path: 'src/a/ts-worker-bootstrap.mjs', isDir: false },
      { path: 'src/a/README.md', isDir: false },
      { path: 'src/a/type.d.ts', isDir: false },
    ];
    expect(badNames(entries)).toEqual(['src/a/detectLatest.ts', 'src/a/snake_case.ts', 'ui/src/Main.ts', 'src/someDir']);
  });
});
