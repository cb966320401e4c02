import { MERGE_INTO_WBC } from './config.js';

/** Spellings seen in public blood-cell datasets -> leukoscan's class names. */
const ALIASES: Record<string, string> = {
  Platelet: 'Platelets',
  platelet: 'Platelets',
  platelets: 'Platelets',
  rbc: 'RBC',
  wbc: 'WBC',
  NEUTROPHIL: 'NEU',
  LYMPHOCYTE: 'LYM',
  MONOCYTE: 'MON',
  EOSINOPHIL: 'EOS',
  BASOPHIL: 'BAS',
  neutrophil: 'NEU',
  lymphocyte: 'LYM',
  monocyte: 'MON',
  eosinophil: 'EOS',
  basophil: 'BAS',
};

export function canonicalCategory(name: string): string {
  const trimmed = name.trim();
  return ALIASES[trimmed] ?? trimmed;
}

/** --merge-wbc: the five leukocyte types become 'WBC' (BCCD-3's label space); others unchanged. */
export function mergeWbc(category: string): string {
  return (MERGE_INTO_WBC as readonly string[]).includes(category) ? 'WBC' : category;
}
