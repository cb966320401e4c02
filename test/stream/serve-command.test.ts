/**
 * `leukoscan serve` as a user runs it: a child process with the tiny test
 * model (test/detect/fixtures, a real ONNX model, not accurate) on a sim:
 * source. Checks the printed URLs and tokens, that the token is required,
 * that frames flow, and that SIGTERM shuts it down cleanly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type ServeChild, TINY_MODEL, killServeChildren, spawnServe } from './serve-child.js';
import { TestViewer, upgradeStatus } from './test-client.js';

const dirs: string[] = [];
afterEach(() => {
  killServeChildren();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function serve(args: string[]): ServeChild {
  const home = mkdtempSync(join(tmpdir(), 'leukoscan-serve-'));
  dirs.push(home);
  return spawnServe(home, args);
}

async function waitFor(pred: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('leukoscan serve', () => {
  it('NO MODEL - exits with NO_INPUT and names the missing model', async () => {
    const s = serve(['--model', 'models/does-not-exist.onnx', '--port', '0', '--no-store']);
    expect(await s.exit).toBe(EXIT.NO_INPUT);
    expect(s.stderr()).toContain('models/does-not-exist.onnx');
  });

  it('BAD FLAGS - refuses a bad source or a short token before starting anything', async () => {
    const a = serve(['--source', 'gopher://x', '--port', '0']);
    expect(await a.exit).toBe(EXIT.USAGE);
    expect(a.stderr()).toContain("unsupported scheme 'gopher:'");
    const b = serve(['--token', 'short', '--port', '0']);
    expect(await b.exit).toBe(EXIT.USAGE);
    expect(b.stderr()).toContain('operator token is too short');
  });

  it('prints operator and viewer URLs with generated tokens, requires them, streams, and stops on SIGTERM', async () => {
    const s = serve(['--model', TINY_MODEL, '--port', '0', '--source', 'sim:fps=5,duration=200']);
    await waitFor(() => /viewer \(read-only\):\s+http/.test(s.stdout()), 'the URLs', 60_000);
    const operatorUrl = /operator \(full control\): (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(s.stdout())![1];
    const viewerUrl = /viewer \(read-only\):\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(s.stdout())![1];
    const opToken = new URL(operatorUrl).searchParams.get('token')!;
    const viewToken = new URL(viewerUrl).searchParams.get('token')!;
    expect(opToken).not.toBe(viewToken);
    expect(opToken.length).toBeGreaterThanOrEqual(32);
    // Printed once.
    expect(s.stdout().split(opToken).length - 1).toBe(1);
    const port = new URL(operatorUrl).port;
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=wrong-token-wrong-token`)).toBe(401);
    const v = await TestViewer.connect(`ws://127.0.0.1:${port}/ws?token=${viewToken}`);
    await v.waitForType('hello');
    expect(v.of('hello')[0].role).toBe('viewer');
    expect(v.of('hello')[0].features).toEqual({ review: true, history: true });
    await v.waitFor(() => v.frames.length >= 2 && v.of('overlay').length >= 2, 'frames and overlays', 60_000);
    expect(v.of('status').at(-1)!.scan).toBe('running');
    v.close();
    s.child.kill('SIGTERM');
    expect(await s.exit, `serve stderr:\n${s.stderr()}`).toBe(0);
  });
});
