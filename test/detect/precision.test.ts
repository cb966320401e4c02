import { describe, expect, it } from 'vitest';
import { choosePrecision, flagsHaveVnni, int8PathFor, type PrecisionFacts } from '../../src/detect/precision.js';

const M = 'models/leukoscan-lite.onnx';
const I8 = 'models/leukoscan-lite.int8.onnx';
const vnniCpu: PrecisionFacts = { device: 'auto', cudaInstalled: false, cpuHasVnni: true, int8: 'ok' };

describe('choosePrecision', () => {
  const cases: [string, Parameters<typeof choosePrecision>[1], Partial<PrecisionFacts>, string, RegExp][] = [
    ['auto, VNNI CPU, int8 file present -> int8', 'auto', {}, I8, /VNNI/],
    ['auto, no int8 file -> float', 'auto', { int8: 'missing' }, M, /no int8 file/],
    ['auto, stale int8 file -> float', 'auto', { int8: 'stale' }, M, /does not match its card models\/leukoscan-lite\.int8\.json/],
    ['auto, CPU without VNNI, 8-bit weights -> float', 'auto', { cpuHasVnni: false }, M, /no VNNI.*8-bit weights/],
    ['auto, CPU without VNNI, weightBits 8 -> float', 'auto', { cpuHasVnni: false, int8WeightBits: 8 }, M, /no VNNI/],
    ['auto, CPU without VNNI, 7-bit weights -> int8', 'auto', { cpuHasVnni: false, int8WeightBits: 7 }, I8, /7-bit weights/],
    ['auto, 7-bit weights but CUDA -> float', 'auto', { cpuHasVnni: false, int8WeightBits: 7, device: 'cuda' }, M, /CUDA/],
    ['auto, 7-bit weights but stale -> float', 'auto', { cpuHasVnni: false, int8WeightBits: 7, int8: 'stale' }, M, /does not match/],
    ['auto, device cuda -> float', 'auto', { device: 'cuda' }, M, /CUDA/],
    ['auto, device auto with CUDA installed -> float', 'auto', { cudaInstalled: true }, M, /CUDA/],
    ['auto, device cpu even with CUDA installed -> int8', 'auto', { device: 'cpu', cudaInstalled: true }, I8, /VNNI/],
    ['float -> the given file', 'float', {}, M, /requested/],
    ['int8 -> the sibling', 'int8', {}, I8, /^requested \(--precision int8\)$/],
    ['int8 -> the sibling, even without VNNI, with a warning', 'int8', { cpuHasVnni: false }, I8, /requested.*no VNNI.*saturate/],
    ['int8 with 7-bit weights without VNNI: no warning', 'int8', { cpuHasVnni: false, int8WeightBits: 7 }, I8, /^requested \(--precision int8\)$/],
  ];
  for (const [name, precision, facts, path, reason] of cases) {
    it(name, () => {
      const c = choosePrecision(M, precision, { ...vnniCpu, ...facts });
      expect(c.modelPath).toBe(path);
      expect(c.precision).toBe(path === I8 ? 'int8' : 'float');
      expect(c.reason).toMatch(reason);
    });
  }

  it('an int8 file given by name runs as given', () => {
    expect(choosePrecision(I8, 'float', { ...vnniCpu, cpuHasVnni: false })).toMatchObject({ modelPath: I8, precision: 'int8' });
  });

  it('int8 without the file is a clear error naming it', () => {
    expect(() => choosePrecision(M, 'int8', { ...vnniCpu, int8: 'missing' })).toThrow(`Model ${I8}: not found`);
    expect(() => choosePrecision(M, 'int8', { ...vnniCpu, int8: 'stale' })).toThrow(`Model ${I8}: does not match its card`);
  });

  it('int8PathFor', () => {
    expect(int8PathFor(M)).toBe(I8);
    expect(int8PathFor(I8)).toBe(I8);
    expect(int8PathFor('/x/y.ONNX')).toBe('/x/y.int8.onnx');
  });
});

describe('flagsHaveVnni', () => {
  it('reads /proc/cpuinfo flags', () => {
    expect(flagsHaveVnni('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n')).toBe(true);
    expect(flagsHaveVnni('flags\t\t: fpu avx2 avx_vnni\n')).toBe(true);
    expect(flagsHaveVnni('flags\t\t: fpu sse2 avx2 avx512f\n')).toBe(false);
    expect(flagsHaveVnni('')).toBe(false);
  });
});
