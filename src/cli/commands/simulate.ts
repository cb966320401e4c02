import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import sharp from 'sharp';
import { DatasetError, dataRoot } from '../../sim/bccd.js';
import { CAMERA_PATH_DEFAULTS } from '../../sim/camera-path.js';
import { SCAN_DEFAULTS, buildScan } from '../../sim/scan.js';
import { VideoWriter } from '../../sim/video-io.js';
import { EXIT } from '../exit-codes.js';

interface SimulateOptions {
  seed: number;
  size: { width: number; height: number };
  fps: number;
  duration: number;
  fields: { cols: number; rows: number };
  out: string;
  data?: string;
  split: 'test' | 'trainval' | 'train' | 'val';
  returnPass: boolean;
  jump: boolean;
  mosaic: boolean;
}

function parseIntArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function parsePair(sep: string, what: string) {
  return (v: string) => {
    const m = new RegExp(`^(\\d+)${sep}(\\d+)$`).exec(v);
    if (!m || +m[1] <= 0 || +m[2] <= 0) throw new InvalidArgumentError(`must be ${what}`);
    return [+m[1], +m[2]] as const;
  };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Render a simulated slide scan (mosaic of annotated BCCD fields, serpentine camera path) to a video plus ground truth JSON')
    .option('--seed <n>', 'random seed (fields, path, jitter, blur, noise)', parseIntArg, SCAN_DEFAULTS.seed)
    .option('--size <WxH>', 'camera frame size', (v) => {
      const [width, height] = parsePair('x', 'WxH, e.g. 640x480')(v);
      return { width, height };
    }, { width: SCAN_DEFAULTS.frameWidth, height: SCAN_DEFAULTS.frameHeight })
    .option('--fps <n>', 'frames per second', parsePositive, SCAN_DEFAULTS.fps)
    .option('--duration <s>', 'scan duration in seconds (the stage speed follows from it)', parsePositive, SCAN_DEFAULTS.durationS)
    .option('--fields <CxR>', 'mosaic grid of source fields', (v) => {
      const [cols, rows] = parsePair('x', 'CxR, e.g. 3x2')(v);
      return { cols, rows };
    }, { cols: SCAN_DEFAULTS.cols, rows: SCAN_DEFAULTS.rows })
    .option('--out <dir>', 'output directory (scan.mp4, ground-truth.json, mosaic.jpg)', 'out/sim')
    .option('--data <dir>', 'data root holding bccd/ (default: $LEUKOSCAN_DATA or ../shared/data)')
    .addOption(new Option('--split <split>', 'BCCD split the fields come from (test = held out from training)').choices(['test', 'trainval', 'train', 'val']).default('test'))
    .option('--no-return-pass', 'no return pass over the first row at the end')
    .option('--jump', 'end with a jump to an unrelated area (a new segment)', CAMERA_PATH_DEFAULTS.jumpAtEnd)
    .option('--no-mosaic', 'do not write mosaic.jpg')
    .addHelpText('after', '\nExit codes: 0 written; 66 the dataset is missing; 1 rendering or encoding failed.')
    .action(async (opts: SimulateOptions) => {
      let scan;
      try {
        scan = await buildScan({
          seed: opts.seed,
          frameWidth: opts.size.width,
          frameHeight: opts.size.height,
          fps: opts.fps,
          durationS: opts.duration,
          cols: opts.fields.cols,
          rows: opts.fields.rows,
          dataRoot: dataRoot(opts.data),
          split: opts.split,
          path: { returnPass: opts.returnPass, jumpAtEnd: opts.jump },
        });
      } catch (err) {
        if (err instanceof DatasetError) {
          process.stderr.write(`leukoscan simulate: ${err.message}\n`);
          process.exitCode = EXIT.NO_INPUT;
          return;
        }
        throw err;
      }
      await mkdir(opts.out, { recursive: true });
      const video = join(opts.out, 'scan.mp4');
      const truth = join(opts.out, 'ground-truth.json');
      const writer = new VideoWriter({ file: video, width: opts.size.width, height: opts.size.height, fps: opts.fps });
      try {
        for (const frame of scan.frames()) await writer.write(frame);
        await writer.close();
      } catch (err) {
        writer.abort();
        throw err;
      }
      await writeFile(truth, JSON.stringify(scan.groundTruth, null, 1));
      if (opts.mosaic) {
        await sharp(Buffer.from(scan.mosaic.rgb), { raw: { width: scan.mosaic.width, height: scan.mosaic.height, channels: 3 } })
          .jpeg({ quality: 85 })
          .toFile(join(opts.out, 'mosaic.jpg'));
      }
      const gt = scan.groundTruth;
      const scored = gt.cells.filter((c) => !c.ignore);
      const byType = scored.reduce<Record<string, number>>((a, c) => ((a[c.type!] = (a[c.type!] ?? 0) + 1), a), {});
      process.stdout.write(
        `wrote ${video} (${gt.path.length} frames, ${opts.size.width}x${opts.size.height} @ ${opts.fps} fps) and ${truth}\n` +
          `slide ${gt.mosaic.width}x${gt.mosaic.height} from ${gt.mosaic.fields.length} ${opts.split} fields; leukocytes: ${gt.cells.length} (${scored.length} scored: ${JSON.stringify(byType)})\n`,
      );
    });
}
