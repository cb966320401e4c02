/** The detector options that detect, count, run, serve, eval, bench and calibrate share, and their parsers. */
import { InvalidArgumentError, Option } from 'commander';
import { DETECT_DEFAULTS } from '../detect/config.js';
import { PRECISIONS } from '../detect/precision.js';

export function parseScore(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number in [0, 1]');
  return n;
}

export function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function deviceOption(): Option {
  return new Option('--device <device>', 'execution provider: auto tries CUDA then falls back to CPU').choices(['auto', 'cpu', 'cuda']).default(DETECT_DEFAULTS.device);
}

export function precisionOption(): Option {
  return new Option('--precision <p>', 'auto runs models/<name>.int8.onnx when it exists and the CPU runs it exactly (VNNI, or 7-bit weights on any CPU); float runs the given file')
    .choices([...PRECISIONS])
    .default(DETECT_DEFAULTS.precision);
}
