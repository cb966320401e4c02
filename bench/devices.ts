/**
 * Device benchmark (issue 21 §3, issue 22's cross-device table): simulated microscopes and cameras
 * rendered from BCCD test fields (src/sim/devices), and TXL-PBC test's Raabin-WBC and PBC fields as
 * real other microscopes, each run through the detector (+ typer) with calibration off (today's
 * pipeline: colour white balance, then the detector) and on (CalibratedDetector, mode auto, with
 * colour calibration). Per device: scale-estimate error, leukocyte recall@0.5, WBC AP50 (COCO,
 * src/eval/coco-eval.ts), type accuracy, false positives per frame, ms per frame.
 *
 *   npm run bench:devices -- [--model FILE] [--typer FILE | --no-typer] [--devices a,b,c] [--fields N | --full]
 *                            [--modes off,on] [--json OUT] [--seed N] [--data DIR] [--score-threshold S] [--threads N]
 *                            [--split test|val-heldout] [--stain on|off]
 *
 * --fields N: each device shows N source fields' worth of slide (a ×0.25 frame shows 16, so one
 * frame; a ×1 device N frames); real devices N images. --full: every test field (BCCD 72, TXL 50).
 * --split val-heldout: the simulated devices are built from every second BCCD val field instead (43,
 * the typer's validation hold-out), for choices that must not be made on test fields.
 * --stain off: calibration on without the colour fit's Reinhard step (white balance only).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LEUKOCYTE_TYPES } from '../src/core/classes.js';
import { typerPathOption } from '../src/cli/typer-option.js';
import { DETECT_DEFAULTS } from '../src/detect/config.js';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { dataRoot } from '../src/sim/bccd.js';
import { DEVICES, REAL_DEVICES, type RealDeviceName, deviceByName } from '../src/sim/devices/catalogue.js';
import { deviceFrames, realDeviceFrames } from '../src/sim/devices/device-run.js';
import { type DeviceResult, formatDevicesTable, meanResult } from '../src/sim/devices/device-report.js';
import { jpegRoundTrip } from '../src/sim/devices/jpeg.js';
import { loadBccdTestFields, loadTxlTestFields } from '../src/sim/devices/sources.js';
import type { DeviceFrame, DeviceSourceField, DeviceSpec } from '../src/sim/devices/types.js';
import { calibrationModes, runDeviceMode } from './devices-modes.js';

const DEFAULT_FIELDS = 4;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: DETECT_DEFAULTS.modelPath },
    typer: { type: 'string' },
    'no-typer': { type: 'boolean', default: false },
    devices: { type: 'string' },
    fields: { type: 'string' },
    full: { type: 'boolean', default: false },
    modes: { type: 'string', default: 'off,on' },
    json: { type: 'string' },
    seed: { type: 'string', default: '1' },
    data: { type: 'string' },
    'score-threshold': { type: 'string' },
    threads: { type: 'string' },
    split: { type: 'string', default: 'test' },
    stain: { type: 'string', default: 'on' },
  },
});

function fail(message: string): never {
  process.stderr.write(`bench/devices: ${message}\n`);
  process.exit(2);
}

/** The host, for the header: CPU model, the instruction sets that matter to onnxruntime, cores. */
function hostLine(): string {
  const info = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  const isa = ['avx512_vnni', 'avx_vnni', 'avx512f', 'avx2'].filter((f) => flags.has(f));
  return `${cpus()[0]?.model ?? 'unknown CPU'} (${isa.join(', ') || 'no AVX2'}), ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`;
}

const seed = Number(args.seed);
const fields = args.full ? Number.POSITIVE_INFINITY : args.fields ? Number(args.fields) : DEFAULT_FIELDS;
if (!(fields >= 1)) fail(`--fields must be a positive number, got ${args.fields}`);
const minScore = args['score-threshold'] !== undefined ? Number(args['score-threshold']) : DETECT_DEFAULTS.scoreThreshold;
const names = args.devices ? args.devices.split(',').map((s) => s.trim()).filter(Boolean) : [...DEVICES.map((d) => d.name), ...REAL_DEVICES];
const simulated: DeviceSpec[] = [];
const real: RealDeviceName[] = [];
for (const n of names) {
  if ((REAL_DEVICES as readonly string[]).includes(n)) real.push(n as RealDeviceName);
  else {
    try {
      simulated.push(deviceByName(n));
    } catch (e) {
      fail((e as Error).message);
    }
  }
}
const modes = args.modes!.split(',').map((m) => (m === 'off' || m === 'on' ? m : fail(`--modes: off and/or on, not '${m}'`)));

const root = dataRoot(args.data);
const command = `npm run bench:devices -- ${process.argv.slice(2).join(' ')}`.trim();
const startedAt = new Date().toISOString();
const header = [`bench:devices ${startedAt}`, `command: ${command}`, `host: ${hostLine()}`];
process.stderr.write(`bench/devices: ${simulated.length + real.length} devices, modes ${modes.join(', ')}; ${header[2]}\n`);

const detector = await OnnxDetector.create({
  modelPath: args.model!,
  device: 'cpu',
  typerPath: typerPathOption(args['no-typer'] ? false : (args.typer ?? undefined), args.model!),
  scoreThreshold: minScore,
  ...(args.threads ? { intraOpThreads: Number(args.threads) } : {}),
});
if (args.split !== 'test' && args.split !== 'val-heldout') fail(`--split: test or val-heldout, not '${args.split}'`);
if (args.stain !== 'on' && args.stain !== 'off') fail(`--stain: on or off, not '${args.stain}'`);
const runners = await calibrationModes(detector, modes, { stain: args.stain === 'on' });
const results: DeviceResult[] = [];
try {
  const bccd = simulated.length > 0 ? await loadBccdTestFields(root, args.split as 'test' | 'val-heldout') : [];
  const jobs: { spec: DeviceSpec | null; name: string; kind: DeviceResult['kind']; description: string; frames: () => Generator<DeviceFrame> }[] = [
    ...simulated.map((spec) => ({
      spec,
      name: spec.name,
      kind: (spec.name === 'reference' ? 'reference' : 'simulated') as DeviceResult['kind'],
      description: spec.description,
      frames: () => deviceFrames(spec, bccd, { fields: Math.min(fields, bccd.length), seed }),
    })),
  ];
  const txl = new Map<RealDeviceName, DeviceSourceField[]>();
  for (const r of real) txl.set(r, await loadTxlTestFields(root, r));
  for (const r of real) {
    const pool = txl.get(r)!;
    jobs.push({ spec: null, name: r, kind: 'real', description: r === 'raabin' ? 'TXL-PBC test, Raabin-WBC fields (575x575; leukocyte boxes, no types)' : 'TXL-PBC test, PBC fields (360x363; typed: the centred cell)', frames: () => realDeviceFrames(r, pool, { fields: Math.min(fields, pool.length), seed }) });
  }
  for (const job of jobs) {
    const t0 = performance.now();
    const frames: DeviceFrame[] = [];
    for (const f of job.frames()) frames.push(job.spec?.jpegQuality ? { ...f, frame: await jpegRoundTrip(f.frame, job.spec.jpegQuality) } : f);
    const renderMs = (performance.now() - t0) / frames.length;
    const scored = frames.flatMap((f) => f.cells.filter((c) => !c.ignore));
    const result: DeviceResult = {
      device: job.name,
      description: job.description,
      kind: job.kind,
      frames: frames.length,
      cells: scored.length,
      typed: scored.filter((c) => c.type !== null).length,
      modes: [],
    };
    const modeResults = [];
    for (const runner of runners) modeResults.push(await runDeviceMode(runner, frames, minScore));
    results.push({ ...result, modes: modeResults });
    process.stderr.write(
      `  ${job.name.padEnd(15)} ${frames.length} frames, ${result.cells} WBC (render ${renderMs.toFixed(0)} ms/frame): ` +
        modeResults.map((m) => (m.summary ? `${m.mode} recall ${(100 * m.summary.recall).toFixed(1)} AP50 ${m.wbcAp50.toFixed(1)} ${m.msPerFrame.toFixed(0)} ms` : `${m.mode} n/a`)).join('; ') +
        '\n',
    );
  }
} finally {
  await detector.release();
}

const reference = results.filter((r) => r.kind === 'reference');
const sims = results.filter((r) => r.kind === 'simulated');
const reals = results.filter((r) => r.kind === 'real');
const table = [...reference, ...sims, ...(sims.length > 1 ? [meanResult(`mean (${sims.length} sim.)`, sims)] : []), ...reals];
const notes = runners.filter((r) => r.unavailable !== null).map((r) => `calibration ${r.mode}: n/a (${r.unavailable})`);
const out = [
  '',
  ...header,
  `model ${args.model} (${detector.card.name})${detector.typer ? `, typer ${detector.typer.card.name}` : ', no typer'}; ${Number.isFinite(fields) ? `${fields} fields per device` : 'every test field (--full)'}; seed ${seed}`,
  `operating point: leukocyte detections with score >= ${minScore} (the detector's default threshold), matched at IoU 0.5; AP50 from the same detections (COCO, types merged into WBC)`,
  ...notes,
  '',
  formatDevicesTable(table),
  '',
  'scale err: median over frames of the calibration\'s RBC diameter vs the annotated median (box sqrt(w*h) x magnification), largest |error| in brackets; ms/frame: wall time on this machine incl. colour and every tile.',
  ...table.map((r) => `  ${r.device}: ${r.description}${r.modes.map((m) => (m.plan ? `; on: ${m.plan}` : '')).join('')}`),
  '',
];
process.stdout.write(out.join('\n'));
if (args.json) {
  const json = { command, startedAt, host: hostLine(), model: args.model, typer: detector.typer?.card.name ?? null, fields: Number.isFinite(fields) ? fields : 'full', seed, minScore, types: LEUKOCYTE_TYPES, devices: results };
  await writeFile(args.json, JSON.stringify(json, null, 2));
  process.stderr.write(`bench/devices: wrote ${args.json}\n`);
}
