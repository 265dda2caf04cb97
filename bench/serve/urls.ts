// Owns the benchmark's request mix: user ids drawn from a Zipf distribution over the model's known
// users (a few heavy users, a long tail; which users are heavy is a seeded shuffle, not id order)
// plus a share of ids the model has never seen (they get the fallback list).

import { Rng } from '../../ts/data/random.js';

export interface UrlMix {
  paths: string[];
  unknownShare: number;
  zipfExponent: number;
}

/** Draws indices 0…m−1 with P(rank r) ∝ 1/(r+1)^s, ranks assigned to indices by a seeded shuffle. */
export function zipfSampler(m: number, s: number, rng: Rng): () => number {
  if (m === 0) throw new Error('zipfSampler: no ids to draw from');
  // inverse-CDF sampling of rank r over a cumulative table
  const cdf = new Float64Array(m);
  let acc = 0;
  for (let r = 0; r < m; r++) cdf[r] = acc += 1 / (r + 1) ** s;
  // rank → index: a seeded permutation
  const perm = Uint32Array.from({ length: m }, (_, i) => i);
  for (let i = m - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return () => {
    const x = rng.nextFloat() * acc;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return perm[lo]!;
  };
}

/** `n` request paths for /v1/users/{id}/recommendations?k=10. */
export function recommendationPaths(userIds: readonly string[], n: number, opts: { unknownShare?: number; exponent?: number; seed?: number; k?: number } = {}): UrlMix {
  const unknownShare = opts.unknownShare ?? 0.05;
  const s = opts.exponent ?? 1;
  const rng = new Rng(opts.seed ?? 1234);
  if (userIds.length === 0) throw new Error('recommendationPaths: the model has no users');
  const draw = zipfSampler(userIds.length, s, rng);
  const k = opts.k ?? 10;
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = rng.nextFloat() < unknownShare ? `unknown-${rng.nextUint32().toString(36)}` : userIds[draw()]!;
    paths.push(`/v1/users/${encodeURIComponent(id)}/recommendations?k=${k}`);
  }
  return { paths, unknownShare, zipfExponent: s };
}
