import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError, readDeviceProfile, writeDeviceProfile } from '../../src/calibration/profile-file.js';
import type { DeviceProfile } from '../../src/calibration/types.js';
import { SAMPLE_PROFILE } from './sample-profile.js';

const dir = mkdtempSync(join(tmpdir(), 'leukoscan-profile-'));

describe('device profile file', () => {
  it('round trip: what is written reads back equal', async () => {
    const file = join(dir, 'round-trip.json');
    await writeDeviceProfile(file, SAMPLE_PROFILE);
    expect(await readDeviceProfile(file)).toEqual(SAMPLE_PROFILE);
  });

  it('round trip: white balance only and a full field', async () => {
    const file = join(dir, 'wb-only.json');
    const p: DeviceProfile = { ...SAMPLE_PROFILE, field: { kind: 'full' }, colour: { wbGains: [1, 1, 1], stain: null } };
    await writeDeviceProfile(file, p);
    expect(await readDeviceProfile(file)).toEqual(p);
  });

  const bad: { name: string; content: string | null; message: RegExp }[] = [
    // no such file: says so and how to make one
    { name: 'missing.json', content: null, message: /missing\.json: not found \(write one with `leukoscan calibrate/ },
    // not JSON
    { name: 'garbage.json', content: '{ scale: ', message: /garbage\.json: not valid JSON/ },
    // a negative scale: names the field
    { name: 'negative.json', content: JSON.stringify({ ...SAMPLE_PROFILE, scale: { ...SAMPLE_PROFILE.scale, umPerPx: -1 } }), message: /negative\.json: invalid profile: scale\.umPerPx/ },
    // an unknown field-mask kind
    { name: 'kind.json', content: JSON.stringify({ ...SAMPLE_PROFILE, field: { kind: 'hexagon' } }), message: /kind\.json: invalid profile: field/ },
    // a future version
    { name: 'version.json', content: JSON.stringify({ ...SAMPLE_PROFILE, version: 2 }), message: /version\.json: invalid profile: version/ },
  ];
  it.each(bad)('BAD PROFILE - $name gives a clear error naming the file', async ({ name, content, message }) => {
    const file = join(dir, name);
    if (content !== null) writeFileSync(file, content);
    const err = await readDeviceProfile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).file).toBe(file);
    expect((err as Error).message).toMatch(/^Device profile /);
    expect((err as Error).message).toMatch(message);
  });

  it('BAD CALL - refuses to write a profile it could not read back', async () => {
    const file = join(dir, 'never.json');
    const broken = { ...SAMPLE_PROFILE, frames: 0 };
    await expect(writeDeviceProfile(file, broken)).rejects.toThrow(/never\.json: invalid profile: frames/);
  });
});
