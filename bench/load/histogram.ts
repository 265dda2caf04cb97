// Owns the load generator's latency histogram, HDR-style: whole microseconds in log-linear buckets
// (exact below 256 µs, then 128 sub-buckets per power of two: every recorded value is within
// 0.8 % of the value reported for it), from 1 µs to over an hour in 3,500 counters. Fixed size, so
// recording is a few integer operations, histograms of threads and of seconds add by index, and a
// run of any length keeps every percentile up to p99.99 without storing the samples.

const LINEAR = 256; // values below this have a bucket each
const SUB_BITS = 7; // 128 sub-buckets per power of two above
const SUB = 1 << SUB_BITS;
const MAX_EXP = 32; // up to 2^32 µs (71 minutes)
export const BUCKETS = LINEAR + (MAX_EXP - 8) * SUB;

/** Bucket of a latency of `us` microseconds (values are clamped to [0, 2^32 − 1]). */
export function bucketOf(us: number): number {
  const v = us <= 0 ? 0 : us >= 0xffffffff ? 0xffffffff : Math.round(us);
  if (v < LINEAR) return v;
  const e = 31 - Math.clz32(v); // floor(log2 v) ≥ 8
  const shift = e - SUB_BITS;
  return LINEAR + (e - 8) * SUB + ((v >>> shift) - SUB);
}

/** The lowest and highest microsecond values that fall in bucket `i`. */
export function bucketRange(i: number): [number, number] {
  if (i < LINEAR) return [i, i];
  const e = 8 + Math.floor((i - LINEAR) / SUB);
  const shift = e - SUB_BITS;
  const lo = (SUB + ((i - LINEAR) % SUB)) * 2 ** shift;
  return [lo, lo + 2 ** shift - 1];
}

/** The value reported for bucket `i`: the middle of its range, µs. */
export function bucketValue(i: number): number {
  const [lo, hi] = bucketRange(i);
  return (lo + hi) / 2;
}

export class Histogram {
  readonly counts: Float64Array;
  count = 0;
  sumUs = 0;
  maxUs = 0;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(BUCKETS);
    if (counts) for (let i = 0; i < counts.length; i++) this.count += counts[i]!;
  }

  record(us: number): void {
    this.counts[bucketOf(us)]!++;
    this.count++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  add(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
  }

  /** The latency (µs) below or at which a share `q` of the recorded values lie; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let acc = 0;
    for (let i = 0; i < BUCKETS; i++) {
      acc += this.counts[i]!;
      if (acc >= rank) return Math.min(bucketValue(i), this.maxUs);
    }
    return this.maxUs;
  }

  meanUs(): number {
    return this.count === 0 ? NaN : this.sumUs / this.count;
  }

  /** Share of the recorded values ≤ `us` (bucket resolution). */
  shareAtOrBelow(us: number): number {
    if (this.count === 0) return NaN;
    const last = bucketOf(us);
    let acc = 0;
    for (let i = 0; i <= last; i++) acc += this.counts[i]!;
    return acc / this.count;
  }

  /** A plain object that survives postMessage and JSON (counts as [bucket, count] pairs). */
  toJSON(): SerializedHistogram {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) pairs.push([i, this.counts[i]!]);
    return { pairs, sumUs: this.sumUs, maxUs: this.maxUs };
  }

  static from(s: SerializedHistogram): Histogram {
    const h = new Histogram();
    for (const [i, n] of s.pairs) {
      h.counts[i] = n;
      h.count += n;
    }
    h.sumUs = s.sumUs;
    h.maxUs = s.maxUs;
    return h;
  }
}

export interface SerializedHistogram {
  pairs: Array<[number, number]>;
  sumUs: number;
  maxUs: number;
}

/** The percentiles a report prints, as shares. */
export const PERCENTILES = [0.5, 0.9, 0.99, 0.999, 0.9999] as const;
