import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Option } from 'commander';
import { DEFAULT_TYPER_FILE } from '../detect/typer-card.js';

/**
 * `--typer [file]` and `--no-typer`, shared by every command that runs the
 * detector. By default leukocytes are re-typed by the typer beside the model
 * (models/leukoscan-typer.onnx) when it is there, else keep the detector's
 * types; `--typer` requires it, `--typer FILE` names another, `--no-typer`
 * keeps the detector's types. See training/README.md for the measurements.
 */
export function typerOption(): Option {
  return new Option('--typer [file]', 're-type leukocytes with this typer (default: leukoscan-typer.onnx beside the model, used when present)');
}

export function noTyperOption(): Option {
  return new Option('--no-typer', "keep the detector's own leukocyte types");
}

/**
 * Commander's value -> DetectorOptions.typerPath: undefined (neither flag) is
 * the typer beside the model if it exists; true requires it; false is none.
 */
export function typerPathOption(value: string | boolean | undefined, modelPath: string, exists: (p: string) => boolean = existsSync): string | null {
  const beside = join(dirname(modelPath), DEFAULT_TYPER_FILE);
  if (value === undefined) return exists(beside) ? beside : null;
  if (value === false) return null;
  return value === true ? beside : value;
}
