import { cardPathForModel } from './model-card-loader.js';

/** Where the detector runs: auto tries CUDA, then CPU. */
export type DeviceChoice = 'auto' | 'cpu' | 'cuda';

/**
 * Which file of a model to run: the float model or its int8 sibling
 * (models/<name>.int8.onnx with its own card <name>.int8.json, both made by
 * `npm run quantize:int8`).
 *
 * 'auto' runs the int8 sibling when it exists and the CPU will run it
 * exactly: no CUDA provider installed (CUDA runs the float file), and either
 * a CPU with VNNI int8 dot products (AVX512-VNNI or AVX-VNNI) or 7-bit
 * weights. Without VNNI, onnxruntime's u8 x s8 kernels (AVX2 vpmaddubsw)
 * saturate an int16 sum of two products with 8-bit weights (see docs/gpu.md,
 * "int8"); weights in ±63 cannot (bench/quantize_int8.py --weight-bits 7).
 * 'float' runs the given file as it is; 'int8' requires the sibling.
 */
export type Precision = 'auto' | 'float' | 'int8';
export const PRECISIONS: readonly Precision[] = ['auto', 'float', 'int8'];

export interface PrecisionFacts {
  /** As asked for (--device). */
  readonly device: DeviceChoice;
  /** The CUDA execution provider library is installed (device 'auto' would try it first). */
  readonly cudaInstalled: boolean;
  readonly cpuHasVnni: boolean;
  /** The int8 sibling's weight range in bits (its card's quantization.weightBits; 8 when not given). */
  readonly int8WeightBits?: number;
  /**
   * The int8 sibling: 'ok' when its card (<name>.int8.json) gives its hash and
   * the hash of this float file as its source; 'stale' when not, or when that
   * card is missing or invalid; 'missing' when there is no int8 file.
   */
  readonly int8: 'ok' | 'stale' | 'missing';
  /** Where int8 is 'stale': what is wrong (the card's load error, or which hash differs). */
  readonly int8Problem?: string;
}

export interface PrecisionChoice {
  readonly modelPath: string;
  readonly precision: 'float' | 'int8';
  readonly reason: string;
}

const INT8 = /\.int8\.onnx$/i;

/** models/foo.onnx -> models/foo.int8.onnx */
export function int8PathFor(modelPath: string): string {
  return INT8.test(modelPath) ? modelPath : modelPath.replace(/\.onnx$/i, '') + '.int8.onnx';
}

export class PrecisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrecisionError';
  }
}

/** Pure: the file to run and why. */
export function choosePrecision(modelPath: string, precision: Precision, facts: PrecisionFacts): PrecisionChoice {
  if (INT8.test(modelPath)) return { modelPath, precision: 'int8', reason: 'an int8 file was given' };
  const int8 = int8PathFor(modelPath);
  const problem = facts.int8Problem ? `: ${facts.int8Problem}` : '';
  if (precision === 'float') return { modelPath, precision: 'float', reason: 'requested (--precision float)' };
  if (precision === 'int8') {
    if (facts.int8 === 'missing') throw new PrecisionError(`Model ${int8}: not found (--precision int8; make it with npm run quantize:int8)`);
    if (facts.int8 === 'stale') throw new PrecisionError(`Model ${int8}: does not match its card ${cardPathForModel(int8)}${problem}; re-run npm run quantize:int8`);
    const caveat = facts.cpuHasVnni || saturationFree(facts) ? '' : "; warning: this CPU has no VNNI, where onnxruntime's u8 x s8 kernels can saturate with 8-bit weights and the outputs drift from the float model's";
    return { modelPath: int8, precision: 'int8', reason: `requested (--precision int8)${caveat}` };
  }
  const floatBecause = (why: string): PrecisionChoice => ({ modelPath, precision: 'float', reason: `auto: ${why}` });
  if (facts.int8 === 'missing') return floatBecause('no int8 file beside the model');
  if (facts.int8 === 'stale') return floatBecause(`${int8} does not match its card ${cardPathForModel(int8)}${problem} (re-run npm run quantize:int8)`);
  if (facts.device === 'cuda' || (facts.device === 'auto' && facts.cudaInstalled)) return floatBecause('CUDA runs the float model');
  if (facts.cpuHasVnni) return { modelPath: int8, precision: 'int8', reason: 'auto: int8 file on a CPU with VNNI' };
  if (saturationFree(facts)) return { modelPath: int8, precision: 'int8', reason: 'auto: int8 file with 7-bit weights (exact without VNNI)' };
  return floatBecause('this CPU has no VNNI int8 instructions and the int8 file has 8-bit weights');
}

/** 7-bit weights: two uint8 x int8 products fit the int16 of the non-VNNI kernels (2 x 255 x 63 < 32768). */
function saturationFree(facts: PrecisionFacts): boolean {
  return (facts.int8WeightBits ?? 8) <= 7;
}

/** /proc/cpuinfo's flags line -> has VNNI (avx512_vnni or avx_vnni). */
export function flagsHaveVnni(cpuinfo: string): boolean {
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1].split(/\s+/) ?? [];
  return flags.includes('avx512_vnni') || flags.includes('avx_vnni');
}
