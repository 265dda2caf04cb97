// Owns train/test splitting with the semantics of Microsoft Recommenders' python_splitters
// (recommenders/datasets/python_splitters.py and split_utils.py):
//  - ratio: a number r in (0, 1) means [r, 1 - r]; a list is normalised to sum 1 if it does not.
//  - randomSplit: global shuffle. One ratio: floor(r * n) rows to train (sklearn train_test_split
//    with train_size=r); a list: cut points round(cumsum(ratios) * n) (np.split).
//  - stratifiedSplit / chronoSplit: per user (or item), rows ordered (shuffled / by timestamp,
//    earliest first), row of rank k (1-based) of a group of n goes to split j when
//    round(c[j-1] * n) < k <= round(c[j] * n), c = cumsum(ratios); round is half-to-even as in
//    numpy: with 0.75, a 2-rating user keeps both in train (1.5 → 2), 6 ratings → 4/2 (4.5 → 4).
//  - minRating: groups (users or items, per filterBy) with fewer rows are dropped first.
// Deviations: our PRNG (random.ts) is not numpy's, so the same seed picks different rows than
// Recommenders; results are row numbers in file order (Recommenders returns DataFrames sorted by
// group); chrono ties (equal timestamps) keep file order; rows without a timestamp are refused.

import { takeRows, type Dataset } from './dataset.js';
import { groupRows } from './group.js';
import { iota, Rng, shuffle } from './random.js';

export type SplitRatio = number | readonly number[];

export interface RandomSplitOptions {
  ratio?: SplitRatio;
  seed?: number;
}

export interface GroupSplitOptions {
  ratio?: SplitRatio;
  /** Drop users (or items, see filterBy) with fewer rows than this first (default 1). */
  minRating?: number;
  filterBy?: 'user' | 'item';
}

export interface StratifiedSplitOptions extends GroupSplitOptions {
  seed?: number;
}

/** Validated ratios (Recommenders' process_split_ratio): multi = a list was given. */
export function processSplitRatio(ratio: SplitRatio): { multi: boolean; ratios: number[] } {
  if (typeof ratio === 'number') {
    if (!(ratio > 0 && ratio < 1)) throw new RangeError(`split ratio must be between 0 and 1, got ${ratio}`);
    return { multi: false, ratios: [ratio, 1 - ratio] };
  }
  if (ratio.length === 0 || ratio.some((x) => !(x > 0) || !Number.isFinite(x))) {
    throw new RangeError(`all split ratios must be larger than 0, got [${ratio.join(', ')}]`);
  }
  const total = exactSum(ratio);
  return { multi: true, ratios: total === 1 ? [...ratio] : ratio.map((x) => x / total) };
}

/** numpy.round / Python round for .5 cases: half to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Row numbers (file order) of each split of a global random split of `data` (a Dataset or row count). */
export function randomSplit(data: Dataset | number, opts: RandomSplitOptions = {}): Uint32Array[] {
  const n = typeof data === 'number' ? data : data.length;
  const { multi, ratios } = processSplitRatio(opts.ratio ?? 0.75);
  const perm = iota(n);
  shuffle(perm, new Rng(opts.seed ?? 42));
  const cuts = multi
    ? cumsum(ratios)
        .slice(0, -1)
        .map((c) => roundHalfEven(c * n))
    : [Math.floor(ratios[0]! * n)];
  const out: Uint32Array[] = [];
  let prev = 0;
  for (const cut of [...cuts, n]) {
    out.push(perm.slice(prev, Math.max(prev, cut)).sort());
    prev = Math.max(prev, cut);
  }
  return out;
}

/** Per-group random split (Recommenders' python_stratified_split). */
export function stratifiedSplit(ds: Dataset, opts: StratifiedSplitOptions = {}): Uint32Array[] {
  const rng = new Rng(opts.seed ?? 42);
  return groupSplit(ds, opts, (rows, s, e) => shuffle(rows, rng, s, e));
}

/** Per-group chronological split, earliest rows first (Recommenders' python_chrono_split). */
export function chronoSplit(ds: Dataset, opts: GroupSplitOptions = {}): Uint32Array[] {
  const ts = ds.timestamps;
  let missing = 0;
  for (let r = 0; r < ts.length; r++) if (Number.isNaN(ts[r]!)) missing++;
  if (missing > 0) {
    throw new Error(
      missing === ts.length
        ? 'a chronological split needs timestamps; this data has none (use --split stratified or random, or name the time column with --columns timestamp=…)'
        : `a chronological split needs a timestamp on every row; ${missing} of ${ts.length} rows have none (use --split stratified or random)`,
    );
  }
  const byTime = (a: number, b: number): number => {
    const ta = ts[a]!;
    const tb = ts[b]!;
    if (ta < tb) return -1;
    if (ta > tb) return 1;
    const na = Number.isNaN(ta);
    if (na !== Number.isNaN(tb)) return na ? 1 : -1; // missing timestamps last
    return a - b; // ties: file order
  };
  return groupSplit(ds, opts, (rows, s, e) => rows.subarray(s, e).sort(byTime));
}

/** The splits as Datasets sharing ds's id maps (indices stay comparable across splits). */
export function splitDatasets(ds: Dataset, splits: readonly Uint32Array[]): Dataset[] {
  return splits.map((rows) => takeRows(ds, rows));
}

function groupSplit(ds: Dataset, opts: GroupSplitOptions, order: (rows: Uint32Array, start: number, end: number) => void): Uint32Array[] {
  const by = opts.filterBy ?? 'user';
  if (by !== 'user' && by !== 'item') throw new Error(`filterBy should be either 'user' or 'item', got ${String(by)}`);
  const minRating = opts.minRating ?? 1;
  if (!(minRating >= 1) || !Number.isInteger(minRating)) throw new RangeError(`minRating must be an integer ≥ 1, got ${minRating}`);
  const { ratios } = processSplitRatio(opts.ratio ?? 0.75);
  if (ratios.length > 254) throw new RangeError('at most 254 splits');
  const cum = cumsum(ratios);
  const keys = by === 'user' ? ds.users : ds.items;
  const numKeys = by === 'user' ? ds.userIds.length : ds.itemIds.length;
  const { offsets, rows } = groupRows(keys, numKeys);
  const NONE = 255;
  const splitOf = new Uint8Array(ds.length).fill(NONE);
  const sizes = new Array<number>(ratios.length).fill(0);
  for (let g = 0; g < numKeys; g++) {
    const s = offsets[g]!;
    const e = offsets[g + 1]!;
    const n = e - s;
    if (n === 0 || n < minRating) continue;
    order(rows, s, e);
    let lo = 0;
    for (let j = 0; j < cum.length; j++) {
      const hi = Math.min(n, roundHalfEven(cum[j]! * n));
      for (let k = lo; k < hi; k++) splitOf[rows[s + k]!] = j; // ranks lo+1..hi
      if (hi > lo) sizes[j]! += hi - lo;
      lo = Math.max(lo, hi);
    }
  }
  const out = sizes.map((size) => new Uint32Array(size));
  const fill = new Array<number>(ratios.length).fill(0);
  for (let r = 0; r < splitOf.length; r++) {
    const j = splitOf[r]!;
    if (j !== NONE) out[j]![fill[j]!++] = r;
  }
  return out;
}

/** Sequential cumulative sum, like np.cumsum. */
function cumsum(xs: readonly number[]): number[] {
  let acc = 0;
  return xs.map((x) => (acc += x));
}

/** Sum with Neumaier compensation (close to math.fsum for short lists). */
function exactSum(xs: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of xs) {
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}
