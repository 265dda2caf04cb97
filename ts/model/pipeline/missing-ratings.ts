// Owns what an empty rating means to training: for implicit ALS a row without a rating is a
// plain interaction (value 1, as a file without a rating column); explicit ALS predicts ratings,
// so it refuses such rows and says how many there are.

import type { Dataset } from '../../data/index.js';

/** Fills NaN ratings with 1 (implicit) in place and returns how many; throws for explicit ALS. */
export function resolveMissingRatings(ds: Dataset, implicit: boolean, what: string): number {
  let missing = 0;
  for (let r = 0; r < ds.length; r++) if (Number.isNaN(ds.ratings[r]!)) missing++;
  if (missing === 0) return 0;
  if (!implicit) {
    throw new Error(
      `${missing} of ${ds.length} rows of ${what} have an empty rating; explicit ALS (--explicit) needs a rating on every row. ` +
        'Train on them as implicit feedback (drop --explicit: an empty rating then counts as one interaction), or remove those rows.',
    );
  }
  const ratings = ds.ratings as Float32Array;
  for (let r = 0; r < ds.length; r++) if (Number.isNaN(ratings[r]!)) ratings[r] = 1;
  return missing;
}
