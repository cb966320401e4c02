/**
 * `leukoscan bench`'s PyTorch weights on a machine that never trained the
 * model: recovered once from the ONNX file and cached, or a note naming the
 * Debian package that is missing. The recovery runs for real on an MFDS-DETR
 * of training's `tiny` config exported here (seconds, not the shipped model's minutes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, ensureTorchWeights, missingTorchPackages } from '../../src/cli/torch-weights.js';
import { sha256File } from '../../src/detect/file-hash.js';
import { appendFile } from 'node:fs/promises';

const PYTHON = '/usr/bin/python3';
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'leukoscan-torch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A python path whose `import torch` fails, as on a machine without python3-torch. */
function envWithoutTorch(): NodeJS.ProcessEnv {
  const fake = join(dir, 'no-torch');
  mkdirSync(join(fake, 'torch'), { recursive: true });
  writeFileSync(join(fake, 'torch', '__init__.py'), 'raise ImportError("torch hidden by the test")\n');
  return { ...process.env, PYTHONPATH: fake };
}

describe('PyTorch weights for bench', () => {
  it('NO TORCH - names the Debian package python3-torch', async () => {
    expect(missingTorchPackages(PYTHON, envWithoutTorch())).toEqual({ packages: ['python3-torch'] });
    const got = await ensureTorchWeights({ model: join(REPO_ROOT, 'models/leukoscan-lite.onnx'), cacheDir: join(dir, 'cache-a'), env: envWithoutTorch() });
    expect(got).toEqual({ note: "PyTorch comparison needs Debian's python3-torch (sudo apt-get install python3-torch)" });
    expect(existsSync(join(dir, 'cache-a'))).toBe(false);
  });

  it('NO PYTHON - says which interpreter did not run', async () => {
    const got = await ensureTorchWeights({ model: 'models/leukoscan-lite.onnx', python: join(dir, 'no-such-python'), cacheDir: join(dir, 'cache-b') });
    expect('note' in got && got.note).toMatch(/no-such-python did not run .*python3-torch/);
  });

  it('recovers the weights from the ONNX file once, then reuses the cache', async () => {
    const onnx = join(dir, 'tiny-mfds.onnx');
    execFileSync(
      PYTHON,
      ['-c', [
        'import json, sys, torch',
        'from training.config import get_config',
        'from training.export import export_onnx',
        'from training.models.mfds_detr import MFDSDETR',
        'cfg = get_config("tiny"); torch.manual_seed(0)',
        'export_onnx(MFDSDETR(cfg).eval(), cfg, sys.argv[1])',
        'json.dump({"config": cfg}, open(sys.argv[1][:-5] + ".json", "w"))',
      ].join('\n'), onnx],
      { cwd: REPO_ROOT, stdio: 'pipe' },
    );
    const cacheDir = join(dir, 'cache-c');
    const cached = join(cacheDir, `tiny-mfds-${(await sha256File(onnx)).slice(0, 12)}.pt`);
    const lines: string[] = [];
    const first = await ensureTorchWeights({ model: onnx, cacheDir, say: (l) => lines.push(l) });
    expect(first).toEqual({ path: cached, recovered: true });
    expect(lines.join('\n')).toContain('recovering them from');
    // A real checkpoint training.bench_torch can load: time it for 1 iteration.
    const out = execFileSync(PYTHON, ['-m', 'training.bench_torch', '--model', 'tiny-mfds', '--checkpoint', cached, '--threads', '1', '--iters', '1', '--warmup', '0'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!).ms_p50).toBeGreaterThan(0);
    const mtime = statSync(cached).mtimeMs;
    const second = await ensureTorchWeights({ model: onnx, cacheDir, env: envWithoutTorch() });
    expect(second).toEqual({ path: cached, recovered: false });
    expect(statSync(cached).mtimeMs).toBe(mtime);
    // a re-exported model (other bytes) is not timed with the cached weights of the old one
    await appendFile(onnx, Buffer.from([0]));
    const third = await ensureTorchWeights({ model: onnx, cacheDir, env: envWithoutTorch() });
    expect('path' in third ? third.path : null).not.toBe(cached);
  }, 300_000);
});
