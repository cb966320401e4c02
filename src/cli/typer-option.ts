import { dirname, join } from 'node:path';
import { Option } from 'commander';
import { DEFAULT_TYPER_FILE } from '../detect/typer-card.js';

/**
 * `--typer [file]`, shared by every command that runs the detector: re-type
 * leukocytes with the typer (opt-in; see training/README.md for why it is not
 * the default yet). Without a file: leukoscan-typer.onnx beside the model.
 */
export function typerOption(): Option {
  return new Option('--typer [file]', 're-type leukocytes with the leukocyte typer (default file: leukoscan-typer.onnx beside the model)');
}

/** Commander's value (true, a path, or undefined) -> DetectorOptions.typerPath. */
export function typerPathOption(value: string | boolean | undefined, modelPath: string): string | null {
  if (value === undefined || value === false) return null;
  return value === true ? join(dirname(modelPath), DEFAULT_TYPER_FILE) : value;
}
