/**
 * Red-cell diameter from the covariance of the cell mask, read through a Boolean model of discs.
 *
 * Discs of diameter d dropped at random (overlaps allowed, as red cells lie in a smear) leave a
 * plasma share q = exp(-lambda A). Two points tau apart are both plasma with probability
 * Q(tau) = q^2 exp(lambda K(tau)), K the overlap area of two discs tau apart, so
 * g(tau) = K(tau) / A = ln(Q(tau) / q^2) / (-ln q) is the disc's overlap function
 * (2/pi)(acos t - t sqrt(1 - t^2)), t = tau / d, whatever the density. d is fitted to g.
 * The residual of the fit says whether the objects look like discs at all. Pure.
 */

export interface CovarianceFit {
  /** Fitted disc diameter (working px). */
  readonly diameter: number;
  /** RMS difference between measured g and the disc model over the fitted lags. */
  readonly residual: number;
  /** Share of the field covered by the mask. */
  readonly coverage: number;
  /** Objects implied by the model: lambda * field area. */
  readonly objects: number;
  /** The best diameter is the smallest or largest one searched. */
  readonly atBound: boolean;
}

/** Overlap area of two unit-diameter discs at distance t, over the disc area. */
export function discOverlap(t: number): number {
  if (t >= 1) return 0;
  if (t <= 0) return 1;
  return (2 / Math.PI) * (Math.acos(t) - t * Math.sqrt(1 - t * t));
}

/** Lag directions: horizontal, vertical and both diagonals. */
const DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
];

/**
 * mask: 1 = cell (0 outside the field). field (optional): 1 = inside. Lags 1..maxLag px.
 * Returns null when the mask is empty or full.
 */
export function fitDiscCovariance(
  mask: Uint8Array,
  width: number,
  height: number,
  options: { readonly maxLag: number; readonly minDiameter: number; readonly maxDiameter: number; readonly rowStep?: number; readonly field?: Uint8Array },
): CovarianceFit | null {
  const { field } = options;
  const rowStep = Math.max(1, options.rowStep ?? 1);
  let inField = 0;
  let covered = 0;
  for (let i = 0; i < mask.length; i++) {
    if (field && field[i] === 0) continue;
    inField++;
    covered += mask[i];
  }
  if (inField === 0 || covered === 0 || covered === inField) return null;
  const p = covered / inField;
  const q = 1 - p;
  const lambdaA = -Math.log(q);
  const maxLag = Math.max(2, Math.floor(options.maxLag));
  // Measured g at lags (distance, value) from all directions.
  const lags: number[] = [];
  const gs: number[] = [];
  for (const [ux, uy] of DIRECTIONS) {
    const unit = Math.hypot(ux, uy);
    // Every lag up to 12 px, then sparser (the fit needs the curve's shape, not every lag).
    for (let k = 1; k * unit <= maxLag; k += Math.max(1, Math.floor(k / 12))) {
      const dx = ux * k;
      const dy = uy * k;
      let valid = 0;
      let both0 = 0;
      const y0 = Math.max(0, -dy);
      const y1 = Math.min(height, height - dy);
      const x0 = Math.max(0, -dx);
      const x1 = Math.min(width, width - dx);
      for (let y = y0; y < y1; y += rowStep) {
        const row = y * width;
        const row2 = (y + dy) * width + dx;
        if (field) {
          for (let x = x0; x < x1; x++) {
            const i = row + x;
            const j = row2 + x;
            if (field[i] === 0 || field[j] === 0) continue;
            valid++;
            if ((mask[i] | mask[j]) === 0) both0++;
          }
        } else {
          valid += x1 - x0;
          for (let x = x0; x < x1; x++) if ((mask[row + x] | mask[row2 + x]) === 0) both0++;
        }
      }
      if (valid === 0) continue;
      const Q = both0 / valid;
      lags.push(k * unit);
      gs.push(Q > 0 ? Math.log(Q / (q * q)) / lambdaA : 1);
    }
  }
  if (lags.length < 4) return null;
  // Grid search on log diameter (1% steps), then the residual at the best.
  let best = NaN;
  let bestErr = Infinity;
  let last = NaN;
  for (let d = options.minDiameter; d <= options.maxDiameter; d *= 1.01) {
    last = d;
    let err = 0;
    for (let i = 0; i < lags.length; i++) {
      const e = gs[i] - discOverlap(lags[i] / d);
      err += e * e;
    }
    if (err < bestErr) {
      bestErr = err;
      best = d;
    }
  }
  if (!Number.isFinite(best)) return null;
  return {
    diameter: best,
    residual: Math.sqrt(bestErr / lags.length),
    coverage: p,
    objects: (lambdaA * inField) / ((Math.PI * best * best) / 4),
    atBound: best === options.minDiameter || best === last,
  };
}
