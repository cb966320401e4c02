import type { Command } from 'commander';
import { type V4l2Device, listV4l2Devices } from '../../capture/v4l2-devices.js';
import { EXIT } from '../exit-codes.js';

function formatDevice(d: V4l2Device): string {
  const lines = [`${d.uri}${d.name ? `  ${d.name}` : ''}`];
  if (d.formats) {
    for (const f of d.formats) lines.push(`    ${f.kind.padEnd(10)} ${f.ffmpegName.padEnd(10)} ${f.description}: ${f.sizes.join(' ')}`);
  } else {
    lines.push(`    (formats unknown: ${d.error ?? 'not queried'})`);
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('devices')
    .description('List USB (V4L2) cameras: /dev/video* with names and formats (via ffmpeg)')
    .option('--json', 'print JSON')
    .option('--no-formats', 'do not ask ffmpeg for formats')
    .action(async (opts: { json?: boolean; formats: boolean }) => {
      const devices = await listV4l2Devices({ queryFormats: opts.formats });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(devices, null, 2)}\n`);
      } else if (devices.length === 0) {
        process.stderr.write('No cameras found: no /dev/video* device. Plug in a USB (UVC) camera, or use an RTSP URL or a file with --source.\n');
      } else {
        process.stdout.write(`${devices.map(formatDevice).join('\n')}\n`);
      }
      if (devices.length === 0) process.exitCode = EXIT.NO_INPUT;
    });
}
