/** Loopback RTSP test helpers (rtsp.test.ts, bench/publisher-restart.ts): free ports and waiting for a listener. */
import { connect, createServer } from 'node:net';

/**
 * A free TCP port below Linux's ephemeral range (32768+): while the server is down the
 * client keeps connecting to its port, and an ephemeral port equal to it could
 * self-connect and keep the server from binding again.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free TCP port found in 20000-29999');
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`RTSP test server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
