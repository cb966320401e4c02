import { readdir, readFile, stat } from 'node:fs/promises';
import { readCocoAnnotations } from './coco.js';
import { AnnotationError, type AnnotationSet } from './types.js';
import { readVoc } from './voc.js';
import { readYolo } from './yolo.js';

export { AnnotationError, type AnnotationSet } from './types.js';
export { parseVocXml, vocToGroundTruth, readVoc } from './voc.js';
export { parseYoloYamlNames, yoloToGroundTruth, readYolo } from './yolo.js';
export { cocoToAnnotationSet, readCocoAnnotations } from './coco.js';

/** A split list (e.g. VOC ImageSets/Main/test.txt): one image id per line. */
export async function readSplit(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new AnnotationError(file, 'split list not found');
  }
  const ids = text.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((s) => s.length > 0);
  if (ids.length === 0) throw new AnnotationError(file, 'split list is empty');
  return ids;
}

/**
 * Reads annotations in whichever format `path` is: a .json file (COCO), a
 * folder with Annotations/ or .xml files (VOC), or a folder of .txt labels (YOLO).
 */
export async function readAnnotations(path: string, imagesDir: string, ids?: readonly string[]): Promise<AnnotationSet> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new AnnotationError(path, 'not found');
  }
  if (st.isFile()) {
    if (path.toLowerCase().endsWith('.json')) return readCocoAnnotations(path, ids);
    throw new AnnotationError(path, 'a file must be COCO .json; VOC and YOLO annotations are folders');
  }
  const names = await readdir(path);
  if (names.includes('Annotations') || names.some((n) => n.toLowerCase().endsWith('.xml'))) return readVoc(path, ids);
  if (names.some((n) => n.toLowerCase().endsWith('.txt') && n !== 'classes.txt')) return readYolo(path, imagesDir, ids);
  throw new AnnotationError(path, 'no annotations found (expected VOC .xml files, an Annotations/ folder, or YOLO .txt labels)');
}

