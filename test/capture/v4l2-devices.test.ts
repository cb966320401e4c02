import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegQueryError, listV4l2Devices, parseV4l2Formats } from '../../src/capture/v4l2-devices.js';

// What `ffmpeg -f v4l2 -list_formats all -i /dev/video0` prints for a typical UVC webcam.
const UVC_OUTPUT = `[video4linux2,v4l2 @ 0x55d5c8c0a540] Compressed:       mjpeg :          Motion-JPEG : 1280x720 640x480 320x240
[video4linux2,v4l2 @ 0x55d5c8c0a540] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240 160x120
[video4linux2,v4l2 @ 0x55d5c8c0a540] Raw       :        gray :                 8-bit Greyscale : {32-4096, 2}x{32-2304, 2}
/dev/video0: Immediate exit requested
`;

describe('parseV4l2Formats', () => {
  it('parses compressed, raw and stepwise formats', () => {
    expect(parseV4l2Formats(UVC_OUTPUT)).toEqual([
      { kind: 'compressed', ffmpegName: 'mjpeg', description: 'Motion-JPEG', sizes: ['1280x720', '640x480', '320x240'] },
      { kind: 'raw', ffmpegName: 'yuyv422', description: 'YUYV 4:2:2', sizes: ['640x480', '320x240', '160x120'] },
      { kind: 'raw', ffmpegName: 'gray', description: '8-bit Greyscale', sizes: ['{32-4096, 2}x{32-2304, 2}'] },
    ]);
  });

  it('UNPLUGGED CAMERA - finds no formats and explains the error', () => {
    const out = '[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video0: No such file or directory\n/dev/video0: No such file or directory\n';
    expect(parseV4l2Formats(out)).toEqual([]);
    expect(ffmpegQueryError(out)).toBe('Cannot open video device /dev/video0: No such file or directory');
  });
});

describe('listV4l2Devices', () => {
  let root: string | undefined;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  it('lists /dev/video* in numeric order with names from sysfs', async () => {
    root = mkdtempSync(join(tmpdir(), 'leukoscan-v4l2-'));
    const dev = join(root, 'dev');
    const sys = join(root, 'sys');
    mkdirSync(dev);
    for (const n of ['video10', 'video2', 'video0', 'null', 'videoX']) writeFileSync(join(dev, n), '');
    for (const [n, name] of [['video0', 'HD USB Camera: HD USB Camera'], ['video2', 'Microscope Cam']]) {
      mkdirSync(join(sys, n), { recursive: true });
      writeFileSync(join(sys, n, 'name'), `${name}\n`);
    }
    const devices = await listV4l2Devices({ devDir: dev, sysfsDir: sys, queryFormats: false });
    expect(devices.map((d) => [d.uri, d.name])).toEqual([
      [`v4l2://${join(dev, 'video0')}`, 'HD USB Camera: HD USB Camera'],
      [`v4l2://${join(dev, 'video2')}`, 'Microscope Cam'],
      [`v4l2://${join(dev, 'video10')}`, null],
    ]);
  });

  it('NO CAMERA - an empty or missing /dev gives an empty list', async () => {
    expect(await listV4l2Devices({ devDir: join(tmpdir(), 'leukoscan-no-such-dir'), queryFormats: false })).toEqual([]);
  });

  it('a node ffmpeg cannot open is listed with the reason', async () => {
    root = mkdtempSync(join(tmpdir(), 'leukoscan-v4l2-'));
    writeFileSync(join(root, 'video0'), 'not a device');
    const [d] = await listV4l2Devices({ devDir: root, sysfsDir: join(root, 'sys') });
    expect(d.formats).toBeNull();
    expect(d.error).toBeTruthy();
  });
});
