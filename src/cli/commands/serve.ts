import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { firstValueFrom, race, timer } from 'rxjs';
import { DEFAULT_CAPTURE_CONFIG, parseSize } from '../../capture/config.js';
import { ffmpegChildrenExited } from '../../capture/ffmpeg-frames.js';
import type { DeviceChoice } from '../../detect/detector.js';
import { DETECT_DEFAULTS } from '../../detect/config.js';
import { sha256File } from '../../detect/file-hash.js';
import { OnnxDetector } from '../../detect/onnx-detector.js';
import type { Precision } from '../../detect/precision.js';
import { livePipeline } from '../../pipeline/live-pipeline.js';
import { resolveSlideData } from '../../sim/bccd.js';
import { ScanStore } from '../../store/scan-store.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeSource } from '../../capture/probe-source.js';
import { redactUri } from '../../capture/redact-uri.js';
import { createAuth } from '../../stream/auth.js';
import { DEFAULT_STREAM_CONFIG } from '../../stream/config.js';
import { normaliseOrigin } from '../../stream/origin.js';
import { PipelineScanSession } from '../../app/pipeline-session.js';
import { PROTOCOL_LIMITS } from '../../stream/protocol.js';
import { StreamServer } from '../../stream/server.js';
import { simulatedCapture } from '../../sim/sim-source.js';
import { isSimUri, parseSimUri, validateServeSource } from '../../stream/sources.js';
import { EXIT } from '../exit-codes.js';
import { noTyperOption, typerOption, typerPathOption } from '../typer-option.js';
import { precisionOption } from '../detector-options.js';
import { calibrationHealth } from '../../stream/calibration-health.js';
import { stagePaceCellPx, trackingForScale } from '../../track/scale.js';
import { type CalibrationFlags, LIVE_SOURCE, calibratedDetector, calibrationOptions, describeCalibration, fixedRbcDiameterPx, preflightProfile } from '../calibration-options.js';

/** Source used when none is given (`npm start`): a simulated scan of the BCCD data. */
export const DEFAULT_SERVE_SOURCE = 'sim:';
/** Capture rate for live sources: registration runs per frame on the main thread. */
const DEFAULT_SERVE_FPS = 15;

interface ServeFlags extends CalibrationFlags {
  typer?: string | boolean;
  source: string;
  port: string;
  host: string;
  token?: string;
  viewerToken?: string;
  model: string;
  device: string;
  precision?: Precision;
  target: string;
  fps: string;
  size: string;
  data?: string;
  home?: string;
  store: boolean;
  start: boolean;
  resume?: boolean;
  operator: string;
  allowOrigin?: string[];
}

class UsageError extends Error {}

function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`bad ${name} '${text}': expected an integer in [0, ${max}]`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description('Live dashboard: streams frames, overlays and the running differential to browsers over WebSockets')
    .option('--source <uri>', 'sim:[seed=N,fps=N,duration=S], a file, rtsp://…, v4l2:///dev/videoN or test:PATTERN', DEFAULT_SERVE_SOURCE)
    .option('--port <n>', 'HTTP port (0 picks a free one)', String(DEFAULT_STREAM_CONFIG.port))
    .option('--host <addr>', 'interface to bind; the default keeps the dashboard on this machine', DEFAULT_STREAM_CONFIG.host)
    .option('--token <token>', 'operator token (full control; or LEUKOSCAN_TOKEN, which ps does not show); generated and printed once if neither')
    .option('--viewer-token <token>', 'read-only viewer token (or LEUKOSCAN_VIEWER_TOKEN); generated and printed once if neither')
    .option('--model <path>', 'ONNX model (its card is the .json beside it)', DETECT_DEFAULTS.modelPath)
    .addOption(typerOption())
    .addOption(noTyperOption())
    .option('--device <device>', 'auto | cpu | cuda', DETECT_DEFAULTS.device)
    .addOption(precisionOption())
    .option('--target <n>', 'leukocytes to count before the differential is complete', '100')
    .option('--fps <n>', 'frames per second taken from a live source', String(DEFAULT_SERVE_FPS))
    .option('--size <WxH>', 'frame size a live source is scaled to', `${DEFAULT_CAPTURE_CONFIG.width}x${DEFAULT_CAPTURE_CONFIG.height}`)
    .option('--data <dir>', 'data root for sim: sources (default: LEUKOSCAN_DATA, else ../shared/data, else the demo slide in demo/)')
    .option('--home <dir>', 'scan store directory (default: LEUKOSCAN_HOME, else ~/.local/share/leukoscan)')
    .option('--no-store', 'do not store scans (no review, no history)')
    .option('--no-start', 'wait for the operator to press Start instead of starting the scan at once')
    .option('--operator <name>', 'technologist name stored with each scan', safeUserName())
    .option('--resume', 'continue the scan a crash interrupted (same counts and target) instead of offering it on the dashboard')
    .option('--allow-origin <origin...>', 'browser origins allowed to connect besides the dashboard itself (e.g. https://lab.example:8443); clients that send no Origin only need a token');
  for (const o of calibrationOptions()) cmd.addOption(o);
  cmd.action(async (flags: ServeFlags) => {
      try {
        await serve(flags);
      } catch (err) {
        if (err instanceof UsageError) {
          process.stderr.write(`leukoscan serve: ${err.message}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        throw err;
      }
    });
}

/**
 * Starts the scan as asked, unless a crash left one interrupted: that one is resumed with --resume,
 * otherwise offered on the dashboard (Resume / Close) and nothing new is started over it.
 */
async function startOrResume(session: PipelineScanSession, flags: ServeFlags, out: NodeJS.WritableStream): Promise<void> {
  const offer = session.status.interrupted ?? null;
  if (offer !== null && flags.resume) {
    await session.execute({ type: 'resumeInterrupted', scanId: offer.scanId });
    out.write(`  resumed scan #${offer.scanId} at ${offer.cells} cells\n`);
    return;
  }
  if (offer !== null) {
    out.write(`  scan #${offer.scanId} was interrupted at ${offer.cells} cells: Resume or Close it on the dashboard, or restart with --resume\n`);
    return;
  }
  if (flags.resume) out.write('  --resume: no interrupted scan to resume\n');
  if (flags.start) await session.execute({ type: 'start' });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

function safeUserName(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

async function serve(flags: ServeFlags): Promise<void> {
  // ---- flags (all checked before anything starts) ----
  try {
    validateServeSource(flags.source);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const port = positiveInt('--port', flags.port, 65535);
  const target = positiveInt('--target', flags.target, PROTOCOL_LIMITS.MAX_TARGET);
  if (target < 1) throw new UsageError('bad --target: must be at least 1');
  const fps = Number(flags.fps);
  if (!Number.isFinite(fps) || fps <= 0 || fps > 60) throw new UsageError(`bad --fps '${flags.fps}': expected a number in (0, 60]`);
  let size: { width: number; height: number };
  try {
    size = parseSize(flags.size);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!['auto', 'cpu', 'cuda'].includes(flags.device)) throw new UsageError(`bad --device '${flags.device}': expected auto, cpu or cuda`);
  let auth;
  try {
    auth = createAuth({
      operatorToken: flags.token ?? nonEmpty(process.env.LEUKOSCAN_TOKEN),
      viewerToken: flags.viewerToken ?? nonEmpty(process.env.LEUKOSCAN_VIEWER_TOKEN),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let allowedOrigins: string[];
  try {
    allowedOrigins = (flags.allowOrigin ?? []).map(normaliseOrigin);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const slideData = resolveSlideData(flags.data);
  const dataRoot = slideData.root;
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString()}] ${line}\n`);

  const pre = await preflightProfile(flags, (line) => process.stderr.write(`leukoscan serve: ${line}\n`));
  if ('exitCode' in pre) {
    process.exitCode = pre.exitCode;
    return;
  }
  const profileRbc = pre.profile?.scale.rbcDiameterPx;

  // ---- resources, each released below in reverse order ----
  let onnx: OnnxDetector;
  try {
    onnx = await OnnxDetector.create({ modelPath: flags.model, typerPath: typerPathOption(flags.typer, flags.model), device: flags.device as DeviceChoice, precision: flags.precision });
  } catch (err) {
    process.stderr.write(`leukoscan serve: ${(err as Error).message}\n`);
    process.exitCode = /not found|ENOENT/.test((err as Error).message) ? EXIT.NO_INPUT : EXIT.FAILURE;
    return;
  }
  const detector = await calibratedDetector(onnx, flags, LIVE_SOURCE);
  // the tracker's and stage pace's pixel lengths follow a scale known before the scan
  const scaled = trackingForScale(fixedRbcDiameterPx(flags, profileRbc));
  let store: ScanStore | null = null;
  let session: PipelineScanSession | null = null;
  let server: StreamServer | null = null;
  try {
    if (flags.store) {
      store = ScanStore.open(flags.home);
    }
    const modelName = onnx.card.name + (onnx.typer ? `+${onnx.typer.card.name}` : '');
    const model = store === null ? null : { name: modelName, sha256: await sha256File(onnx.modelPath), version: onnx.card.date };
    session = new PipelineScanSession({
      source: flags.source,
      target,
      validateSource: validateServeSource,
      // A new source must deliver a frame before the running scan is switched to it (sim: is only parsed).
      probeSource: (source) =>
        isSimUri(source) ? Promise.resolve() : probeSource(source, { timeoutMs: DEFAULT_PROBE_TIMEOUT_MS, width: size.width, height: size.height, fps }),
      track: scaled.track,
      // the stage pace's cell size follows the live calibration as it refines
      stagePace: { ...scaled.stagePace, cellPx: () => stagePaceCellPx(detector.calibration.scale?.rbcDiameterPx) },
      ...(detector.calibration.mode === 'off' && !detector.calibration.scaleOverridden
        ? {}
        : { calibration: { read: () => calibrationHealth(detector.calibration), recalibrate: () => detector.recalibrate() } }),
      store: store !== null && model !== null ? { store, model, operator: flags.operator } : null,
      log,
      // the phase correlation (~10 ms a frame) and the colour correction run in workers, so the event loop stays responsive
      registerOffThread: true,
      pipeline: (source) =>
        isSimUri(source)
          ? livePipeline({ source, detector, calibration: detector.liveCalibration, colourOffThread: true, events: simulatedCapture(parseSimUri(source), dataRoot) })
          : livePipeline({ source, detector, calibration: detector.liveCalibration, colourOffThread: true, capture: { width: size.width, height: size.height, fps, realtime: true } }),
    });
    server = await StreamServer.create({ session, auth, log, slide: slideData.label, config: { host: flags.host, port, allowedOrigins } });

    const out = process.stdout;
    out.write(`leukoscan serve: ${redactUri(flags.source)} with ${modelName}: ${onnx.describe()}\n`);
    if (isSimUri(flags.source)) out.write(`  ${slideData.label}\n`);
    out.write(`  ${describeCalibration(detector.calibration, flags)}\n`);
    out.write(`  operator (full control): ${server.url(auth.operatorToken)}\n`);
    out.write(`  viewer (read-only):      ${server.url(auth.viewerToken)}\n`);
    if (!auth.generated.operator || !auth.generated.viewer) out.write('  (tokens given by flag or environment are used as given)\n');
    if (!['127.0.0.1', 'localhost', '::1'].includes(flags.host)) {
      out.write(`  WARNING: listening on ${flags.host}: anyone on the network with a token URL can connect, over plain HTTP.\n`);
    }
    out.write(store === null ? '  scans are not stored (--no-store)\n' : `  scans are stored in ${store.file}\n`);
    out.write('  Ctrl-C stops.\n');

    await startOrResume(session, flags, out);

    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
    log('stopping');
  } finally {
    await server?.close();
    await session?.close();
    await firstValueFrom(race(timer(DEFAULT_CAPTURE_CONFIG.killTimeoutMs + 1000), ffmpegChildrenExited()));
    await detector.release();
    if (store !== null) await store.close();
  }
}
