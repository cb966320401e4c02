/**
 * Where the tests find images and annotations.
 *
 * The full datasets live in ../shared/data beside the repository (or LEUKOSCAN_DATA); a public
 * clone has no such folder. It does have the demo slide (demo/: 20 BCCD test fields with their VOC
 * XML and wbc_types.csv rows, the same layout as a data root), so a test that only needs "some real
 * BCCD fields" uses DEMO_DATA, and a test that needs the full sets (trainval, all 72 test fields,
 * TXL-PBC, PBC crops, ...) skips without them, with NEEDS_DATA in its name so the skip says why.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The full data root: LEUKOSCAN_DATA, else ../shared/data beside the repository (may not exist). */
export const SHARED_DATA = resolve(process.env.LEUKOSCAN_DATA ?? join(REPO_ROOT, '..', 'shared', 'data'));
/** The demo slide shipped in the repository: a data root holding 20 BCCD test fields. */
export const DEMO_DATA = join(REPO_ROOT, 'demo');
/** True when the full BCCD (both splits) is in SHARED_DATA. */
export const dataAvailable = existsSync(join(SHARED_DATA, 'bccd', 'ImageSets', 'Main', 'trainval.txt')) && existsSync(join(SHARED_DATA, 'bccd', 'ImageSets', 'Main', 'test.txt'));
/** Appended to the name of a test that skips without the full datasets. */
export const NEEDS_DATA = '(needs ../shared/data or LEUKOSCAN_DATA)';
/** A data root with BCCD test fields: the full data when present, else the demo slide. */
export const BCCD_TEST_ROOT = dataAvailable ? SHARED_DATA : DEMO_DATA;
/** A BCCD test field that is in the demo slide (so in both roots). */
export const DEMO_FIELD = 'BloodImage_00007';

/** The JPEG of a BCCD field under a data root. */
export function bccdImage(id: string, root = BCCD_TEST_ROOT): string {
  return join(root, 'bccd', 'JPEGImages', `${id}.jpg`);
}
