import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFfmpeg } from './ffmpeg-binary.js';

/** One pixel format a V4L2 device offers, as ffmpeg's `-list_formats all` reports it. */
export interface V4l2Format {
  readonly kind: 'raw' | 'compressed';
  /** ffmpeg's name: yuyv422, mjpeg, h264… */
  readonly ffmpegName: string;
  readonly description: string;
  /** Sizes as listed: 640x480, or a stepwise range like {32-4096, 2}x{32-2304, 2}. */
  readonly sizes: readonly string[];
}

export interface V4l2Device {
  /** /dev/videoN */
  readonly path: string;
  readonly uri: string;
  /** The driver's name for it (sysfs `name`), or null if unknown. */
  readonly name: string | null;
  /** Formats, or null if ffmpeg could not query them; `error` then says why. */
  readonly formats: readonly V4l2Format[] | null;
  readonly error?: string;
}

const FORMAT_LINE = /\]\s*(Raw|Compressed)\s*:\s*(\S+)\s*:\s*(.*)\s:\s(.*)$/;

/** Pure: parses `ffmpeg -f v4l2 -list_formats all -i /dev/videoN` stderr. */
export function parseV4l2Formats(stderr: string): V4l2Format[] {
  const formats: V4l2Format[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const m = FORMAT_LINE.exec(line);
    if (!m) continue;
    const sizes = m[4].trim() === '' ? [] : m[4].trim().match(/\{[^}]*\}x\{[^}]*\}|\S+/g) ?? [];
    formats.push({ kind: m[1] === 'Raw' ? 'raw' : 'compressed', ffmpegName: m[2], description: m[3].trim(), sizes });
  }
  return formats;
}

/** Pure: the first line of ffmpeg's stderr that explains why the query failed. */
export function ffmpegQueryError(stderr: string): string | undefined {
  const line = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /No such file|Cannot open|Permission denied|busy|Inappropriate ioctl|Not a video|error/i.test(l) && !FORMAT_LINE.test(l));
  return line?.replace(/^\[[^\]]*\]\s*/, '');
}

export interface ListDevicesOptions {
  /** Where /dev/video* live (tests point this at a temp dir). */
  readonly devDir?: string;
  /** sysfs class directory with videoN/name files. */
  readonly sysfsDir?: string;
  /** Query formats through ffmpeg (off in tests without a camera). */
  readonly queryFormats?: boolean;
}

function naturalVideoOrder(a: string, b: string): number {
  return Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));
}

/** Lists /dev/video* with names from sysfs and, optionally, formats from ffmpeg. */
export async function listV4l2Devices(options: ListDevicesOptions = {}): Promise<V4l2Device[]> {
  const devDir = options.devDir ?? '/dev';
  const sysfsDir = options.sysfsDir ?? '/sys/class/video4linux';
  let nodes: string[] = [];
  try {
    nodes = readdirSync(devDir).filter((n) => /^video\d+$/.test(n));
  } catch {
    nodes = [];
  }
  nodes.sort(naturalVideoOrder);
  const devices: V4l2Device[] = [];
  for (const node of nodes) {
    const path = join(devDir, node);
    const nameFile = join(sysfsDir, node, 'name');
    const name = existsSync(nameFile) ? readFileSync(nameFile, 'utf8').trim() : null;
    if (options.queryFormats === false) {
      devices.push({ path, uri: `v4l2://${path}`, name, formats: null });
      continue;
    }
    const stderr = await ffmpegListFormats(path);
    const formats = parseV4l2Formats(stderr);
    devices.push(
      formats.length > 0
        ? { path, uri: `v4l2://${path}`, name, formats }
        : { path, uri: `v4l2://${path}`, name, formats: null, error: ffmpegQueryError(stderr) ?? 'ffmpeg listed no formats (metadata node?)' },
    );
  }
  return devices;
}

function ffmpegListFormats(device: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      resolveFfmpeg().path,
      ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', device],
      { timeout: 10_000 },
      // ffmpeg exits non-zero after listing (no output given); stderr is what matters.
      (_err, _stdout, stderr) => resolve(String(stderr)),
    );
  });
}
