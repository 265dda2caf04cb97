// Owns keeping the best `depth` (item, score) pairs of a pass over candidates, best first (ties
// keep the earlier candidate first): the factor fill of filtered answers, the new items' similar
// items and the similar-items table (typed arrays) share it.

/** Numbers by index: a number[] or a typed array. */
type Slots = { [i: number]: number };

/**
 * Inserts (item, score) into the descending list held in items[0..count) and scores[0..count), at
 * most `depth` entries; returns the new count.
 */
export function insertTop(items: Slots, scores: Slots, count: number, depth: number, item: number, score: number): number {
  if (count === depth && score <= scores[depth - 1]!) return count;
  let p = count < depth ? count++ : depth - 1;
  while (p > 0 && scores[p - 1]! < score) {
    items[p] = items[p - 1]!;
    scores[p] = scores[p - 1]!;
    p--;
  }
  items[p] = item;
  scores[p] = score;
  return count;
}

/** Offers (item, score) to the descending list (items, scores) of at most `depth` entries. */
export function offerTop(items: number[], scores: number[], depth: number, item: number, score: number): void {
  insertTop(items, scores, items.length, depth, item, score);
}
