/**
 * Reads and writes device profiles (JSON, validated). I/O edge: errors name the file and say
 * what is wrong with it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { deviceProfileSchema } from './profile-schema.js';
import type { DeviceProfile } from './types.js';

export class ProfileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Device profile ${file}: ${detail}`);
    this.name = 'ProfileError';
  }
}

/** Validates parsed JSON as a profile; throws ProfileError naming `file` and the bad fields. */
export function parseDeviceProfile(json: unknown, file: string): DeviceProfile {
  const result = deviceProfileSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    throw new ProfileError(file, `invalid profile: ${issues}`);
  }
  return result.data;
}

export async function readDeviceProfile(file: string): Promise<DeviceProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProfileError(file, code === 'ENOENT' ? 'not found (write one with `leukoscan calibrate <source> --out FILE`)' : `cannot be read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(file, `not valid JSON (${(err as Error).message})`);
  }
  return parseDeviceProfile(json, file);
}

export async function writeDeviceProfile(file: string, profile: DeviceProfile): Promise<void> {
  parseDeviceProfile(profile, file); // never write a profile we could not read back
  try {
    await writeFile(file, JSON.stringify(profile, null, 2) + '\n');
  } catch (err) {
    throw new ProfileError(file, `cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
