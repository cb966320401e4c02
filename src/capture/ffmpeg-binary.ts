import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export interface FfmpegBinary {
  readonly path: string;
  readonly origin: 'env' | 'system' | '@ffmpeg-installer';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

let cached: FfmpegBinary | undefined;

/**
 * The ffmpeg to run: $LEUKOSCAN_FFMPEG if set, else the system one on PATH, else the
 * binary shipped by @ffmpeg-installer/ffmpeg, so that `npm install` alone suffices.
 * That package's postinstall chmod may not have run (e.g. `npm ci --ignore-scripts`),
 * so a binary without its execute bit gets it here.
 */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  if (cached && env === process.env) return cached;
  let found: FfmpegBinary | undefined;
  const fromEnv = env.LEUKOSCAN_FFMPEG;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`LEUKOSCAN_FFMPEG=${fromEnv} is not an executable file`);
    found = { path: fromEnv, origin: 'env' };
  }
  found ??= (() => {
    const system = findOnPath('ffmpeg', env.PATH);
    return system ? { path: system, origin: 'system' as const } : undefined;
  })();
  found ??= installerFfmpeg();
  if (env === process.env) cached = found;
  return found;
}

function installerFfmpeg(): FfmpegBinary {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch (err) {
    throw new Error(
      `No ffmpeg found: none on PATH and @ffmpeg-installer/ffmpeg failed (${err instanceof Error ? err.message : String(err)}). Install ffmpeg (apt-get install ffmpeg) or run npm install.`,
    );
  }
  ensureExecutable(path);
  return { path, origin: '@ffmpeg-installer' };
}

/** Adds the execute bits if a shipped binary lost them; throws a clear error if that is impossible. */
export function ensureExecutable(path: string): void {
  if (!existsSync(path)) throw new Error(`ffmpeg binary ${path} does not exist`);
  if (isExecutable(path)) return;
  try {
    chmodSync(path, statSync(path).mode | 0o111);
  } catch (err) {
    throw new Error(`ffmpeg binary ${path} is not executable and chmod failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isExecutable(path)) throw new Error(`ffmpeg binary ${path} is still not executable after chmod +x`);
}
