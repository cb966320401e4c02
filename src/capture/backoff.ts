export interface BackoffOptions {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

/** Delay before retry number `attempt` (1-based): initial * factor^(attempt-1), capped. */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  if (attempt < 1) return 0;
  const delay = options.initialMs * Math.pow(options.factor, attempt - 1);
  return Math.min(options.maxMs, Math.round(delay));
}
