/**
 * `leukoscan serve` as a child process, as a user runs it, for the tests that drive the real command
 * (serve-command, serve-resume): its stdout and stderr collected, its exit as a promise, and every
 * child killed by `killServeChildren()` (call it in afterEach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TINY_MODEL = 'test/detect/fixtures/tiny-detr.onnx';

export interface ServeChild {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exit: Promise<number | null>;
}

const children: ChildProcess[] = [];

export function killServeChildren(): void {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
}

/** Starts `leukoscan serve ARGS` with the scan store in `home`. */
export function spawnServe(home: string, args: readonly string[]): ServeChild {
  const child = spawn(process.execPath, ['bin/leukoscan.js', 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, LEUKOSCAN_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}
