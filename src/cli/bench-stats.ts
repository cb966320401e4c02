/** Pure helpers for `leukoscan bench`. */

/** Percentile by linear interpolation between closest ranks (numpy's default). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (p / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export interface BenchRow {
  readonly model: string;
  /** The model input, WxH (the card's), or '' where not known. */
  readonly input?: string;
  readonly threads: number;
  readonly provider: string;
  readonly msP50: number;
  readonly msP95: number;
  readonly framesPerSecond: number;
  readonly peakRssMb: number;
  /** Process CPU time (all threads) per timed frame: robust to other load on the machine. */
  readonly cpuMsPerFrame: number;
  /** Mean per-stage ms inside the worker. */
  readonly preMs: number;
  readonly inferMs: number;
  readonly postMs: number;
  /** The leukocyte typer (0 without one, or with no leukocyte in the frame). */
  readonly typeMs: number;
  /** PyTorch eager p50 of the same weights, or undefined when not measured. */
  readonly torchMsP50?: number;
  readonly torchNote?: string;
}

const f1 = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));

/** Pure: the table `leukoscan bench` prints. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const head = ['model', 'input', 'thr', 'p50 ms', 'p95 ms', 'frames/s', 'cpu ms/frame', 'peak RSS MB', 'pre/inf/post/type ms', 'torch p50 ms', 'ORT speed-up'];
  const body = rows.map((r) => [
    r.model,
    r.input ?? '',
    String(r.threads),
    f1(r.msP50),
    f1(r.msP95),
    f1(r.framesPerSecond),
    f1(r.cpuMsPerFrame),
    Number.isNaN(r.peakRssMb) ? '-' : r.peakRssMb.toFixed(0),
    `${f1(r.preMs)}/${f1(r.inferMs)}/${f1(r.postMs)}/${f1(r.typeMs)}`,
    r.torchMsP50 === undefined ? 'n/a' : f1(r.torchMsP50),
    r.torchMsP50 === undefined ? 'n/a' : `${(r.torchMsP50 / r.msP50).toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The instruction sets that decide onnxruntime's kernels (int8 dot products, vector width), in this order. */
const ISA_FLAGS = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'] as const;

/**
 * Pure: one line naming the host from /proc/cpuinfo's text and the core count, e.g.
 * "AMD EPYC 9B14 · 2 cores · avx2 fma avx512f avx512_vnni". Unknown parts say so.
 */
export function describeHost(cpuinfo: string, cores: number): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? 'unknown CPU';
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1].trim().split(/\s+/) ?? []);
  const isa = ISA_FLAGS.filter((f) => flags.has(f));
  return `${model} · ${cores} core${cores === 1 ? '' : 's'} · ${flags.size === 0 ? 'instruction sets unknown' : isa.length > 0 ? isa.join(' ') : 'no AVX2'}`;
}
