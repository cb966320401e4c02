/** probeSource against REAL ffmpeg: a test pattern opens, a missing file and a silent RTSP server are refused in time. */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeSource } from '../../src/capture/probe-source.js';
import { ffmpegChildrenExited } from '../../src/capture/ffmpeg-frames.js';

describe('probeSource', () => {
  it('resolves once a test pattern delivered a frame, and ends ffmpeg', async () => {
    await probeSource('test:testsrc2', { timeoutMs: 10_000, width: 64, height: 48, fps: 5 });
    await ffmpegChildrenExited();
  });

  it('MISSING FILE - rejects at once, naming the file', async () => {
    await expect(probeSource('/no/such/slide.mp4', { timeoutMs: 10_000 })).rejects.toThrow('file not found: /no/such/slide.mp4');
  });

  it('SILENT CAMERA - rejects after the time limit, without the password', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      const probe = probeSource(`rtsp://admin:Pa55word@127.0.0.1:${port}/cam`, { timeoutMs: 1500, width: 64, height: 48 });
      await expect(probe).rejects.toThrow(/no frame (for|within) 1\.5 s/);
      await expect(probe).rejects.not.toThrow(/Pa55word/);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
      await ffmpegChildrenExited();
    }
  });
});
