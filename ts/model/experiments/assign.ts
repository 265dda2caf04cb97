// Owns which variant serves a unit (a user id): FNV-1a (32-bit) over the experiment's salt, then
// the id's UTF-16 code units, mapped to [0, 1) and looked up in the variants' cumulative shares.
// It depends on nothing but the experiment's stored definition, so every replica, and the same
// replica after a restart, gives a user the same variant without coordination. A request costs one
// pass over the id's characters and no allocation (the salt's hash and the cumulative shares are
// computed once per experiment).

import type { Experiment } from './definition.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** An experiment ready to assign: the salt's hash and the cumulative share bounds. */
export class Assigner {
  private readonly seed: number;
  private readonly bounds: Float64Array;

  constructor(readonly experiment: Experiment) {
    // a separator after the salt keeps salt "a" + id "bc" apart from salt "ab" + id "c"
    this.seed = fnv(fnv(FNV_OFFSET, experiment.salt), '\u0000');
    this.bounds = new Float64Array(experiment.variants.length);
    let sum = 0;
    experiment.variants.forEach((v, i) => {
      sum += v.share;
      this.bounds[i] = sum;
    });
    this.bounds[this.bounds.length - 1] = Infinity;
  }

  /** The unit's position in [0, 1). */
  position(unit: string): number {
    let h = fnv(this.seed, unit);
    // a final avalanche (murmur3's fmix32): FNV's low bits mix poorly on short ids
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) / 4294967296;
  }

  /** The index of the unit's variant. */
  variantIndex(unit: string): number {
    const x = this.position(unit);
    const b = this.bounds;
    let i = 0;
    while (x >= b[i]!) i++;
    return i;
  }
}
