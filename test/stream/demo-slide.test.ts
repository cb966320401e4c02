/**
 * Out of the box: `leukoscan serve` from a copy of the repository with no data
 * folder beside it (as a clone from a public host has it) scans the built-in
 * demo slide (demo/), says so, and the shipped model finds leukocytes on it.
 *
 * The copy holds the files git tracks or would track (the working tree as it
 * would be committed), with node_modules linked in; LEUKOSCAN_DATA is unset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LEUKOCYTE_TYPES } from '../../src/core/classes.js';
import { TestViewer } from './test-client.js';

const ROOT = resolve(import.meta.dirname, '../..');
const LEUKOCYTES = new Set<string>(LEUKOCYTE_TYPES);

let dir = '';
let clone = '';
let child: ChildProcess | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'leukoscan-demo-'));
  clone = join(dir, 'leukoscan');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f.length > 0 && f !== 'node_modules' && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(ROOT, f), join(clone, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
});

afterAll(() => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('demo slide', () => {
  it('serve with no data folder scans the demo slide and overlays leukocytes within 60 s', async () => {
    expect(existsSync(join(dir, 'shared', 'data'))).toBe(false);
    const env: NodeJS.ProcessEnv = { ...process.env, LEUKOSCAN_HOME: join(dir, 'home') };
    delete env.LEUKOSCAN_DATA;
    child = spawn(process.execPath, ['bin/leukoscan.js', 'serve', '--port', '0', '--no-store', '--source', 'sim:fps=5,duration=300'], {
      cwd: clone,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const started = Date.now();
    while (!/viewer \(read-only\):\s+http/.test(out)) {
      if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`serve did not start:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toContain('demo slide: 20 BCCD fields, MIT');
    const viewerUrl = /viewer \(read-only\):\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)![1];
    const url = new URL(viewerUrl);
    const v = await TestViewer.connect(`ws://127.0.0.1:${url.port}/ws?token=${url.searchParams.get('token')}`);
    const leukocytes = () => v.of('overlay').flatMap((o) => o.cells.filter((c) => LEUKOCYTES.has(c.type)));
    await v.waitFor(() => leukocytes().length > 0, `leukocytes in an overlay (stderr: ${err})`, 60_000 - (Date.now() - started));
    expect(v.of('status').at(-1)!.slide).toBe('demo slide: 20 BCCD fields, MIT');
    v.close();
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }, 90_000);
});
