/** The label space of leukoscan's detector, in model output order. */
export const LEUKOCYTE_TYPES = ['NEU', 'LYM', 'MON', 'EOS', 'BAS'] as const;
export type LeukocyteType = (typeof LEUKOCYTE_TYPES)[number];

export const MODEL_CLASSES = [...LEUKOCYTE_TYPES, 'RBC', 'Platelets'] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

export function isLeukocyteType(name: string): name is LeukocyteType {
  return (LEUKOCYTE_TYPES as readonly string[]).includes(name);
}

export const LEUKOCYTE_NAMES: Record<LeukocyteType, string> = {
  NEU: 'Neutrophil',
  LYM: 'Lymphocyte',
  MON: 'Monocyte',
  EOS: 'Eosinophil',
  BAS: 'Basophil',
};
