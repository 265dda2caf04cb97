// Owns the statistics of an online A/B test on proportions (click-through or conversion rate per
// impression): the Wilson score interval of one rate, the two-sided two-proportion z-test (pooled
// standard error) of the difference between a variant and the control with its unpooled
// interval, the same z-test on rates clustered by the unit of randomisation (a user's impressions
// are not independent: delta-method standard errors, what the experiment report uses), and the
// fixed-horizon minimum sample size per variant for
// a given baseline rate, minimum detectable effect, significance and power. Fixed horizon: the
// p-value is valid only when read once, at or after the planned sample size (peeking and stopping
// at the first p < alpha inflates the false-positive rate), which is why `recs experiments
// conclude` refuses before it.

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export interface RateEstimate {
  successes: number;
  trials: number;
  /** successes / trials (0 without trials). */
  rate: number;
  /** Wilson score interval at the given confidence. */
  low: number;
  high: number;
}

/** The rate and its Wilson score interval (good near 0 and for small samples, unlike the Wald interval). */
export function wilson(successes: number, trials: number, confidence = 0.95): RateEstimate {
  if (trials <= 0) return { successes, trials, rate: 0, low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { successes, trials, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Comparison {
  /** treatment rate − control rate. */
  difference: number;
  /** The difference's interval (unpooled standard error) at the confidence. */
  low: number;
  high: number;
  /** The pooled two-proportion z statistic. */
  z: number;
  /** Two-sided p-value. */
  pValue: number;
  /** pValue < alpha. */
  significant: boolean;
}

/** The two-sided two-proportion z-test of treatment against control. */
export function twoProportionTest(control: { successes: number; trials: number }, treatment: { successes: number; trials: number }, alpha = 0.05): Comparison {
  const n1 = control.trials;
  const n2 = treatment.trials;
  if (n1 <= 0 || n2 <= 0) return { difference: 0, low: -1, high: 1, z: 0, pValue: 1, significant: false };
  const p1 = control.successes / n1;
  const p2 = treatment.successes / n2;
  const pooled = (control.successes + treatment.successes) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se > 0 ? (p2 - p1) / se : 0;
  const pValue = se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  const zc = normalQuantile(1 - alpha / 2);
  const seu = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return { difference: p2 - p1, low: p2 - p1 - zc * seu, high: p2 - p1 + zc * seu, z, pValue, significant: pValue < alpha };
}

/**
 * Trials per variant a two-sided two-proportion z-test needs to detect an absolute difference
 * `mde` from a baseline rate at significance `alpha` with `power` (the standard formula with the
 * pooled variance under the null and the unpooled one under the alternative).
 */
export function minSampleSize(baseline: number, mde: number, alpha = 0.05, power = 0.8): number {
  if (!(baseline > 0 && baseline < 1)) throw new RangeError(`baseline rate must be in (0, 1), got ${baseline}`);
  if (!(mde > 0 && baseline + mde < 1)) throw new RangeError(`minimum detectable effect must be > 0 and keep the rate below 1, got ${mde}`);
  const p2 = baseline + mde;
  const pBar = (baseline + p2) / 2;
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const n = (za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(baseline * (1 - baseline) + p2 * (1 - p2))) ** 2 / (mde * mde);
  return Math.ceil(n);
}

export interface RatioEstimate {
  /** Σ successes / Σ trials over the units. */
  rate: number;
  successes: number;
  trials: number;
  units: number;
  /** The delta method's standard error of the rate, clustered by unit. */
  se: number;
  low: number;
  high: number;
}

/**
 * A rate whose trials are grouped by the unit of randomisation (clicks per impression, users
 * randomised): the ratio of sums, and its standard error by the delta method, which counts one
 * user's correlated impressions as the one unit they are (treating them as independent trials
 * understates the error and inflates false positives when users differ in their click rates).
 */
export function ratioEstimate(successes: ArrayLike<number>, trials: ArrayLike<number>, confidence = 0.95): RatioEstimate {
  const n = trials.length;
  let sy = 0;
  let sx = 0;
  for (let i = 0; i < n; i++) {
    sy += successes[i]!;
    sx += trials[i]!;
  }
  if (n < 2 || sx === 0) return { rate: sx > 0 ? sy / sx : 0, successes: sy, trials: sx, units: n, se: Infinity, low: 0, high: 1 };
  const r = sy / sx;
  const mx = sx / n;
  // Σ (y − r·x)² / (n − 1): the variance of the linearised ratio
  let v = 0;
  for (let i = 0; i < n; i++) v += (successes[i]! - r * trials[i]!) ** 2;
  v /= n - 1;
  const se = Math.sqrt(v / n) / mx;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return { rate: r, successes: sy, trials: sx, units: n, se, low: Math.max(0, r - z * se), high: Math.min(1, r + z * se) };
}

/** The two-sided z-test of the difference of two clustered rates (delta-method standard errors). */
export function ratioTest(control: RatioEstimate, treatment: RatioEstimate, alpha = 0.05): Comparison {
  const d = treatment.rate - control.rate;
  const se = Math.sqrt(control.se ** 2 + treatment.se ** 2);
  if (!Number.isFinite(se)) return { difference: d, low: -1, high: 1, z: 0, pValue: 1, significant: false };
  const z = se > 0 ? d / se : 0;
  const pValue = se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  const zc = normalQuantile(1 - alpha / 2);
  return { difference: d, low: d - zc * se, high: d + zc * se, z, pValue, significant: pValue < alpha };
}

/** A p-value as reports print it: three significant digits, or "< 0.0001". */
export function formatP(p: number): string {
  return p < 1e-4 ? '< 0.0001' : `= ${p.toPrecision(3)}`;
}
