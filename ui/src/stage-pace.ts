/** How the dashboard reads health.pipeline.stagePace (src/track/stage-pace.ts): above 1 the stage is too fast. */
export function stageTooFast(pace: number | null): boolean {
  return pace !== null && pace > 1;
}

export function stagePacePercent(pace: number): string {
  return `${Math.round(pace * 100)}%`;
}
