/**
 * The import graph of src/ (relative imports only: `import … from`, `export … from`,
 * `import '…'`, `import('…')`, type-only ones included), and the two checks the
 * dependency test applies to it: layer order between folders, and no cycles.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** file (repository-relative, e.g. src/track/box.ts) -> files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Relative specifiers imported by a module's source text. */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push(m[1] ?? m[2]);
  return out;
}

function listTs(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...listTs(p));
    else if (p.endsWith('.ts')) files.push(p);
  }
  return files;
}

export function buildImportGraph(repoRoot: string, srcDir = 'src'): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const abs of listTs(join(repoRoot, srcDir))) {
    const file = relative(repoRoot, abs);
    const targets = importSpecifiers(readFileSync(abs, 'utf8')).map((s) => relative(repoRoot, resolve(dirname(abs), s)).replace(/\.js$/, '.ts'));
    graph.set(file, targets);
  }
  return graph;
}

/** The top folder under src/ (src/track/registration/fft.ts -> track). */
export function folderOf(file: string): string {
  return file.split('/')[1] ?? '';
}

/** Imports from a folder to a folder of a higher layer ("from -> to" file pairs), and files in folders with no layer. */
export function layerViolations(graph: ImportGraph, layers: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layers[folderOf(from)];
    if (a === undefined) {
      out.push(`${from}: folder '${folderOf(from)}' has no layer`);
      continue;
    }
    for (const to of targets) {
      const b = layers[folderOf(to)];
      if (b !== undefined && b > a) out.push(`${from} -> ${to}`);
    }
  }
  return out;
}

/** Import cycles between files (strongly connected components of more than one file, or a file importing itself), each sorted. */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
