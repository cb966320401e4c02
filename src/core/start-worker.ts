/**
 * Starts a worker thread from a module beside the caller, the one way every
 * worker in leukoscan is started (detector, scan-store writer, sim renderer,
 * calibrator, serve's registration and colour workers).
 * From compiled .js it is a plain Worker; from .ts sources (tsx, vitest) it
 * goes through ts-worker-bootstrap.mjs, which registers tsx's loader inside
 * the worker first, or, with `selfContained`, runs the entry bundled into one
 * script by esbuild.
 *
 *   startWorker(import.meta.url, './detect-worker', init)
 */
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface StartWorkerOptions extends Omit<WorkerOptions, 'workerData'> {
  /**
   * From .ts sources: bundle the entry and the repository modules it imports into one script
   * (esbuild, once per entry) and run that, instead of registering tsx in the worker. tsx's loader
   * costs a worker about 24 MB of RSS (its own loader-hooks thread and tsx); a plain worker about 3.
   * For entries with no top-level await, no import.meta and no npm packages: a bundle that would
   * need a package throws at once. Ignored from compiled .js (a plain Worker either way).
   */
  readonly selfContained?: boolean;
}

/** Bundled entries, by file URL. */
const bundles = new Map<string, string>();

/**
 * `callerUrl`: the caller's import.meta.url; `entry`: the worker module
 * relative to it, without extension (it takes the caller's: .ts or .js).
 */
export function startWorker(callerUrl: string, entry: string, workerData: object, options: StartWorkerOptions = {}): Worker {
  const { selfContained, ...workerOptions } = options;
  const fromSource = callerUrl.endsWith('.ts');
  const entryUrl = new URL(`${entry}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(entryUrl, { ...workerOptions, workerData });
  if (selfContained === true) return new Worker(bundled(entryUrl), { ...workerOptions, eval: true, workerData });
  return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), { ...workerOptions, workerData: { ...workerData, tsEntry: entryUrl.href } });
}

/** The entry and its relative imports as one CommonJS script (Node's built-ins left as requires). */
function bundled(entryUrl: URL): string {
  const cached = bundles.get(entryUrl.href);
  if (cached !== undefined) return cached;
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const file = fileURLToPath(entryUrl);
  const result = esbuild.buildSync({ entryPoints: [file], bundle: true, format: 'cjs', platform: 'node', target: 'node20', write: false, packages: 'external', metafile: true, logLevel: 'silent' });
  const outputs = Object.values(result.metafile.outputs);
  const packages = outputs.flatMap((o) => o.imports.map((i) => i.path)).filter((p) => !isBuiltin(p));
  if (packages.length > 0) throw new Error(`startWorker: ${file} imports ${packages.join(', ')}: a self-contained worker may import only node: built-ins and repository modules`);
  if (result.warnings.length > 0) throw new Error(`startWorker: bundling ${file}: ${result.warnings[0].text}`);
  const code = result.outputFiles[0].text;
  bundles.set(entryUrl.href, code);
  return code;
}
