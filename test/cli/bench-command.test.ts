import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeHost, formatBenchTable, percentile } from '../../src/cli/bench-stats.js';
import { leukoscan } from './cli-helpers.js';
import { TINY_CARD, TINY_MODEL } from '../detect/helpers.js';

describe('leukoscan bench', () => {
  it('percentile interpolates like numpy', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 0, 5], 95)).toBeCloseTo(9.5, 12);
    expect(percentile([7], 95)).toBe(7);
  });

  it('formats n/a where PyTorch was not measured, and the speed-up where it was', () => {
    const base = { model: 'm.onnx', threads: 1, provider: 'cpu', msP50: 10, msP95: 12, framesPerSecond: 95, cpuMsPerFrame: 11, peakRssMb: 300, preMs: 2, inferMs: 7, postMs: 0.1, typeMs: 0 };
    const t = formatBenchTable([base, { ...base, threads: 2, torchMsP50: 25 }]);
    expect(t.split('\n')[2]).toMatch(/n\/a\s+n\/a$/);
    expect(t.split('\n')[3]).toMatch(/25\.0\s+2\.50x$/);
  });

  it('names the host: CPU model, cores and the instruction sets that pick the kernels', () => {
    const vnni = 'model name\t: AMD EPYC 9B14\nflags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512_vnni\n';
    expect(describeHost(vnni, 2)).toBe('AMD EPYC 9B14 · 2 cores · avx2 fma avx512f avx512_vnni');
    // an AVX2-only host: no avx512 flags listed
    expect(describeHost('model name: Intel Xeon\nflags: sse2 avx2 fma\n', 1)).toBe('Intel Xeon · 1 core · avx2 fma');
    // no /proc/cpuinfo (not Linux): says so rather than claiming "no AVX2"
    expect(describeHost('', 4)).toBe('unknown CPU · 4 cores · instruction sets unknown');
  });

  it('times a model per thread count and prints the table (tiny fixture model, few iterations)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leukoscan-bench-'));
    const r = await leukoscan(['bench', '--model', TINY_MODEL, '--threads', '1', '--iters', '3', '--warmup', '1', '--no-torch', '--json', join(dir, 'b.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tiny-detr\.onnx\s+64x48\s+1\s+\d+\.\d/m);
    expect(r.stdout).toMatch(/^host: .+ · \d+ cores? · /m);
    const rows = JSON.parse(await readFile(join(dir, 'b.json'), 'utf8')) as { msP50: number; peakRssMb: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].msP50).toBeGreaterThan(0);
    expect(rows[0].peakRssMb).toBeGreaterThan(10);
  });

  it('times the detectors of a models folder, not the crop models beside them (by card kind)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leukoscan-bench-'));
    for (const name of ['det', 'crops']) {
      await copyFile(TINY_MODEL, join(dir, `${name}.onnx`));
      await copyFile(TINY_CARD, join(dir, `${name}.json`));
    }
    const typerCard = JSON.parse(await readFile(TINY_CARD, 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'crops.json'), JSON.stringify({ ...typerCard, kind: 'leukocyte-typer' }));
    const r = await leukoscan(['bench', '--models-dir', dir, '--threads', '1', '--iters', '2', '--warmup', '1', '--no-torch']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^det\.onnx\s+64x48\s+1\s/m);
    expect(r.stdout).not.toMatch(/crops\.onnx/);
  });

  it('NO MODELS - exit 66 naming the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leukoscan-bench-'));
    const r = await leukoscan(['bench', '--models-dir', dir]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`no models to time (looked for ${dir}/*.onnx)`);
  });

  it('BAD THREADS - usage error', async () => {
    const r = await leukoscan(['bench', '--model', TINY_MODEL, '--threads', '1,x']);
    expect(r.code).toBe(2);
  });
});
