/**
 * Rate-limited logging for lines that a peer can provoke at will (refused connections): at most
 * `maxLines` per window are written; past that they are counted, and the next line written after
 * the window says how many were left out. Pure apart from the injected log and clock.
 */
export interface LogLimiterConfig {
  readonly maxLines: number;
  readonly windowMs: number;
}

export const DEFAULT_LOG_LIMITER: LogLimiterConfig = { maxLines: 10, windowMs: 60_000 };

export class LogLimiter {
  private windowStart = -Infinity;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly config: LogLimiterConfig = DEFAULT_LOG_LIMITER,
    private readonly now: () => number = Date.now,
  ) {}

  write(line: string): void {
    const t = this.now();
    if (t - this.windowStart >= this.config.windowMs) {
      if (this.suppressed > 0) this.log(`(${this.suppressed} more like it in the last ${Math.round(this.config.windowMs / 1000)} s were not logged)`);
      this.windowStart = t;
      this.written = 0;
      this.suppressed = 0;
    }
    if (this.written < this.config.maxLines) {
      this.written++;
      this.log(line);
    } else this.suppressed++;
  }
}
