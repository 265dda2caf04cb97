// Owns the seeded PRNG (xoshiro128** seeded through splitmix32) and shuffling for reproducible splits.
// It is not numpy's Mersenne Twister: the same seed gives different (but reproducible) shuffles
// than Microsoft Recommenders / numpy would.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any finite number; integers up to 2^53 give distinct streams. */
  constructor(seed = 42) {
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b1);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [0, n), 1 ≤ n ≤ 2^32, without modulo bias. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 4294967296)) throw new RangeError(`nextInt: bad bound ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates shuffle of arr[start, end) in place. */
export function shuffle(arr: Uint32Array, rng: Rng, start = 0, end = arr.length): void {
  for (let i = end - 1; i > start; i--) {
    const j = start + rng.nextInt(i - start + 1);
    const t = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = t;
  }
}

/** 0..n-1 as a Uint32Array. */
export function iota(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
