import { readFileSync } from 'node:fs';

let cached: string | null = null;

/** leukoscan's version, from package.json at the repository root. */
export function softwareVersion(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cached = pkg.version ?? '0.0.0';
  }
  return cached;
}
