/** One colour per class, used by the overlay, the table, the chart and the gallery alike. */
import { LEUKOCYTE_NAMES, type LeukocyteType } from '../../src/core/classes.js';

export const TYPE_COLOURS: Record<string, string> = {
  NEU: '#4f9cf9',
  LYM: '#3ecf8e',
  MON: '#f5a524',
  EOS: '#f25f5c',
  BAS: '#b084f5',
  RBC: '#8a94a6',
  Platelets: '#6b7689',
};

export function colourOf(type: string): string {
  return TYPE_COLOURS[type] ?? '#cbd5e1';
}

export function nameOf(type: LeukocyteType): string {
  return LEUKOCYTE_NAMES[type];
}

export function isLeukocyteClass(type: string): type is LeukocyteType {
  return type in LEUKOCYTE_NAMES;
}
