/**
 * The dependency check (issue 23): src/ folders import only from their own
 * layer or lower ones, and no module imports itself round a cycle (type-only
 * imports included). Layers, lowest first, from the folder READMEs and issue 23:
 *
 *   core ← capture, detect, calibration ← pipeline ← track ← sim, store, eval ← report ← stream, app ← cli
 *
 * (the middle layer "capture/detect/pipeline/track/sim/eval/store/report"
 * ordered by what imports what today, so that a new upward import fails).
 * Known layer exceptions are listed below, each to be removed; nothing else may be added silently.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { buildImportGraph, importCycles, importSpecifiers, layerViolations, type ImportGraph } from './import-graph.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const LAYERS: Readonly<Record<string, number>> = {
  core: 0,
  capture: 1,
  detect: 1,
  calibration: 1,
  colour: 1,
  pipeline: 2,
  track: 3,
  sim: 4,
  store: 4,
  eval: 4,
  report: 5,
  stream: 6,
  app: 6,
  cli: 7,
};

/**
 * Upward imports that exist today ("from -> to"); each is to be removed. None today: the one
 * family there was (detect/'s calibrated detector and tiling importing the calibration maths one
 * layer up, in src/pipeline/calibration) went when calibration/ moved to layer 1, beside detect/.
 */
const KNOWN_LAYER_EXCEPTIONS: readonly string[] = [];

/** track/ is "deterministic, with no I/O" (its README): no track module imports capture, detect or pipeline. */
function trackIoImports(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    if (!from.startsWith('src/track/')) continue;
    for (const to of targets) if (/^src\/(capture|detect|pipeline)\//.test(to)) out.push(`${from} -> ${to}`);
  }
  return out;
}

const graph = buildImportGraph(ROOT);

describe('dependency check over src/', () => {
  it('reads the import graph (every src file, with its relative imports)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli/main.ts')?.length).toBeGreaterThan(0);
  });

  it('LAYER VIOLATION - no folder imports from a higher layer, and every folder has a layer', () => {
    expect(layerViolations(graph, LAYERS).filter((v) => !KNOWN_LAYER_EXCEPTIONS.includes(v))).toEqual([]);
  });

  it('IMPORT CYCLE - no cycles between modules, type-only imports included', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("TRACK I/O - track's pure stages import no capture, detect or pipeline module", () => {
    expect(trackIoImports(graph)).toEqual([]);
  });

  it('the known exceptions still exist (remove an entry once it is fixed)', () => {
    const violations = layerViolations(graph, LAYERS);
    for (const v of KNOWN_LAYER_EXCEPTIONS) expect(violations).toContain(v);
  });
});

describe('the checks can fail', () => {
  // A made-up graph: core imports cli (upward), a <-> b through a type-only import, and a folder with no layer.
  const bad: ImportGraph = new Map([
    ['src/core/a.ts', ['src/cli/main.ts', 'src/core/b.ts']],
    ['src/core/b.ts', ['src/core/a.ts']],
    ['src/cli/main.ts', ['src/core/a.ts']],
    ['src/misc/x.ts', []],
  ]);

  it('finds an upward import and a folder with no layer', () => {
    expect(layerViolations(bad, LAYERS)).toEqual(['src/core/a.ts -> src/cli/main.ts', "src/misc/x.ts: folder 'misc' has no layer"]);
  });

  it('finds a cycle through three files', () => {
    expect(importCycles(bad)).toEqual([['src/cli/main.ts', 'src/core/a.ts', 'src/core/b.ts']]);
  });

  it('parses every import form, type-only and dynamic included, and ignores packages', () => {
    const source = [
      "import type { A } from './a.js';",
      "import { B, type C } from '../b/c.js';",
      "export { D } from './d.js';",
      "export * from './e.js';",
      "import './side-effect.js';",
      "const m = await import('./lazy.js');",
      "import { Observable } from 'rxjs';",
      'import {\n  F,\n  G,\n} from "./multi.js";',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.js', '../b/c.js', './d.js', './e.js', './side-effect.js', './lazy.js', './multi.js']);
  });
});
