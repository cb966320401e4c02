import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_EXTENSIONS, isImageFile } from '../detect/image-decode.js';

export interface InputProblem {
  readonly path: string;
  readonly message: string;
}

export interface ImageInputs {
  /** Image files to process, in argument order, directories sorted by name. */
  readonly files: string[];
  /** Arguments that gave no file (missing path, empty directory). */
  readonly problems: InputProblem[];
}

/**
 * Expands command-line arguments (image files and directories) into image
 * files. A directory contributes its image files (not recursive); a missing
 * path or a directory without images is reported, and the rest still listed.
 */
export async function listImageInputs(paths: readonly string[]): Promise<ImageInputs> {
  const files: string[] = [];
  const problems: InputProblem[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      problems.push({ path: p, message: `Input ${p}: not found` });
      continue;
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const names = (await readdir(p)).filter(isImageFile).sort();
    if (names.length === 0) {
      problems.push({ path: p, message: `Directory ${p}: no images (looked for ${IMAGE_EXTENSIONS.join(' ')})` });
      continue;
    }
    for (const n of names) files.push(join(p, n));
  }
  return { files, problems };
}
