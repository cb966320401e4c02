/**
 * PyTorch weights for `leukoscan bench`'s eager comparison on a machine that
 * never trained the model: rebuilt once from the shipped ONNX file by
 * `python3 -m training.recover_onnx` and cached (~/.cache/leukoscan/models/<name>-<sha256 prefix>.pt).
 * Without Debian's PyTorch (or the onnx module the recovery reads the file
 * with), it says which package to install instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256File } from '../detect/file-hash.js';
import { cardPathForModel } from '../detect/model-card-loader.js';

/** The repository root: training/ is run from here. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Python modules the recovery and the timing need, with the Debian package that provides each. */
export const TORCH_MODULES: Readonly<Record<string, string>> = { torch: 'python3-torch', onnx: 'python3-onnx', numpy: 'python3-numpy' };

export const TORCH_WEIGHTS_DEFAULTS = {
  python: '/usr/bin/python3',
  /** The recovery loads the whole ONNX file and exports a fresh model to map it: minutes on a slow CPU. */
  recoverTimeoutMs: 900_000,
  checkTimeoutMs: 120_000,
} as const;

export interface TorchWeightsOptions {
  /** The ONNX model; its card (the .json beside it) names the training config. */
  readonly model: string;
  readonly python?: string;
  /** Where recovered weights are cached (default ~/.cache/leukoscan/models). */
  readonly cacheDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Told once before the (slow) recovery starts. */
  readonly say?: (line: string) => void;
}

/** `path` to pass to training.bench_torch --checkpoint, or `note`: why there is none. */
export type TorchWeights = { readonly path: string; readonly recovered: boolean } | { readonly note: string };

export function defaultTorchCacheDir(home: string = homedir()): string {
  return join(home, '.cache', 'leukoscan', 'models');
}

/** The Debian packages of the modules `python` cannot import, or a note when python itself does not run. */
export function missingTorchPackages(python: string, env: NodeJS.ProcessEnv = process.env): { packages: string[] } | { note: string } {
  const script = [
    'import importlib, sys',
    'missing = []',
    'for m in sys.argv[1:]:',
    '    try: importlib.import_module(m)',
    '    except ImportError: missing.append(m)',
    'print(",".join(missing))',
  ].join('\n');
  const res = spawnSync(python, ['-c', script, ...Object.keys(TORCH_MODULES)], { encoding: 'utf8', env, timeout: TORCH_WEIGHTS_DEFAULTS.checkTimeoutMs });
  if (res.error !== undefined) return { note: `${python} did not run (${res.error.message}): install Debian's python3 and python3-torch` };
  if (res.status !== 0) return { note: `${python} failed: ${res.stderr.trim().split('\n').pop() ?? ''}` };
  const missing = res.stdout.trim().split(',').filter(Boolean);
  return { packages: missing.map((m) => TORCH_MODULES[m] ?? m) };
}

async function trainingConfigName(model: string): Promise<string> {
  try {
    const card = JSON.parse(await readFile(cardPathForModel(model), 'utf8')) as { config?: { name?: unknown } };
    return typeof card.config?.name === 'string' ? card.config.name : 'lite';
  } catch {
    return 'lite';
  }
}

/**
 * The cached weights of `model`, recovered from it first when missing. Never
 * throws: a note says what is missing (python3-torch, …) or how recovery failed.
 */
export async function ensureTorchWeights(options: TorchWeightsOptions): Promise<TorchWeights> {
  const python = options.python ?? TORCH_WEIGHTS_DEFAULTS.python;
  const env = options.env ?? process.env;
  const name = basename(options.model).replace(/\.onnx$/, '');
  // keyed by the file's content, so that a re-exported model is never timed with the old weights
  const hash = existsSync(options.model) ? (await sha256File(options.model)).slice(0, 12) : 'missing';
  const out = join(options.cacheDir ?? defaultTorchCacheDir(), `${name}-${hash}.pt`);
  if (existsSync(out)) return { path: out, recovered: false };
  const missing = missingTorchPackages(python, env);
  if ('note' in missing) return missing;
  if (missing.packages.length > 0) {
    return { note: `PyTorch comparison needs Debian's ${missing.packages.join(', ')} (sudo apt-get install ${missing.packages.join(' ')})` };
  }
  if (!existsSync(join(REPO_ROOT, 'training', 'recover_onnx.py'))) return { note: 'training/recover_onnx.py not present' };
  options.say?.(`PyTorch weights for ${name} not cached: recovering them from ${options.model} into ${out} (once)`);
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  const args = ['-m', 'training.recover_onnx', '--onnx', resolve(options.model), '--config', await trainingConfigName(options.model), '--out', partial, '--calib', '0'];
  const res = spawnSync(python, args, { cwd: REPO_ROOT, encoding: 'utf8', env, timeout: TORCH_WEIGHTS_DEFAULTS.recoverTimeoutMs });
  if (res.status !== 0 || !existsSync(partial)) {
    rmSync(partial, { force: true });
    const why = (res.stderr || res.error?.message || '').trim().split('\n').pop() ?? '';
    return { note: `training.recover_onnx failed for ${options.model}: ${why}` };
  }
  renameSync(partial, out);
  return { path: out, recovered: true };
}
