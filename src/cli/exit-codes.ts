/** Process exit codes shared by every subcommand. */
export const EXIT = {
  OK: 0,
  /** The command ran but something failed (e.g. a model could not load). */
  FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** Some inputs failed while the others were processed. */
  PARTIAL: 3,
  /** Input was missing (file, directory, dataset, device). */
  NO_INPUT: 66,
} as const;
