/**
 * The dashboard's static files, bundled in memory with esbuild when the server
 * starts (ui/src/main.ts → app.js + app.css; ui/index.html as is). No build
 * step and nothing written to disk.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export interface UiAssets {
  readonly html: Buffer;
  readonly js: Buffer;
  readonly css: Buffer;
}

/** ui/ of this checkout. */
export const DEFAULT_UI_ROOT = resolve(fileURLToPath(new URL('../../ui', import.meta.url)));

export async function buildUiAssets(uiRoot: string = DEFAULT_UI_ROOT): Promise<UiAssets> {
  const entry = join(uiRoot, 'src', 'main.ts');
  const htmlPath = join(uiRoot, 'index.html');
  let html: Buffer;
  try {
    html = await readFile(htmlPath);
  } catch (err) {
    throw new Error(`dashboard page ${htmlPath} could not be read: ${(err as Error).message}`);
  }
  const result = await build({
    entryPoints: { app: entry },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
    minify: true,
    sourcemap: false,
    outdir: '/ui-out',
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((err: unknown) => {
    throw new Error(`dashboard bundle ${entry} failed to build: ${(err as Error).message}`);
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (js === undefined) throw new Error(`dashboard bundle ${entry} produced no JavaScript`);
  return { html, js: Buffer.from(js.contents), css: Buffer.from(css?.contents ?? new Uint8Array()) };
}
